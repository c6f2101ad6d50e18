package linkwork

// Services bundles every service, for the interfaces (web, api, cli) to share.
type Services struct {
	Places         PlaceService
	Organisations  OrganisationService
	Users          UserService
	Sessions       SessionService
	Tokens         TokenService
	Links          LinkService
	Audit          AuditService
	Geography      GeographyService
	Taxonomies     TaxonomyService
	Directory      ServiceService
	Practitioners  PractitionerService
	Search         SearchService
	Scoping        ScopingService
	Referrals      ReferralService
	Notifications  NotificationService
	SigningKeys    SigningKeyService
	Cases          CaseService
	Onward         OnwardService
	Questionnaires QuestionnaireService
	Leases         LeaseService
	Landscape      LandscapeStore
	Budgets        BudgetService
	Groups         GroupPortalService
	Forum          ForumService
	Measures       MeasureService
	Workload       WorkloadService
}
