package sqldb

import "context"

// ReportingInRecovery says whether the connection reporting reads use is a standby in
// recovery (PostgreSQL's pg_is_in_recovery), for the read-replica test.
func (db *DB) ReportingInRecovery(ctx context.Context) (bool, error) {
	var in bool
	err := db.reporting().queryRow(ctx, "SELECT pg_is_in_recovery()", nil, &in)
	return in, err
}

// ReportingExec runs a statement on the reporting connection, to show it cannot write.
func (db *DB) ReportingExec(ctx context.Context, query string) error {
	_, err := db.reporting().exec(ctx, query)
	return err
}
