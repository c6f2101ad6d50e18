package sqldb

import "linkwork"

// Services returns every service of db.
func (db *DB) Services() linkwork.Services {
	return linkwork.Services{
		Places:         NewPlaceService(db),
		Organisations:  NewOrganisationService(db),
		Users:          NewUserService(db),
		Sessions:       NewSessionService(db),
		Tokens:         NewTokenService(db),
		Links:          NewLinkService(db),
		Audit:          NewAuditService(db),
		Geography:      NewGeographyService(db),
		Taxonomies:     NewTaxonomyService(db),
		Directory:      NewServiceService(db),
		Practitioners:  NewPractitionerService(db),
		Search:         NewSearchService(db),
		Scoping:        NewScopingService(db),
		Referrals:      NewReferralService(db),
		Cases:          NewCaseService(db),
		SigningKeys:    NewSigningKeyService(db),
		Notifications:  NewNotificationService(db),
		Onward:         NewOnwardService(db),
		Questionnaires: NewQuestionnaireService(db),
		Leases:         NewLeaseService(db),
		Landscape:      NewLandscapeService(db),
		Budgets:        NewBudgetService(db),
		Forum:          NewForumService(db),
		Groups:         NewGroupPortalService(db),
		Measures:       NewMeasureService(db),
		Workload:       NewWorkloadService(db),
	}
}
