package sqldb

// CommitEvery is how many rows an import commits at a time without AllOrNothing, for the
// tests that cut an import short after the first part.
const CommitEvery = commitEvery
