package demo

import "linkwork"

// The demonstration place's content. Every organisation, scheme, person and offer is
// fictional; the towns and postcode districts are real, so that distances and deprivation
// work as they would in Calderdale.

// town is where offers happen: a real place with its postcode district.
type town struct {
	name     string
	district string // the postcodes used there start with this
	ward     string
}

var towns = []town{
	{"Halifax", "HX1 ", "Town"},
	{"Illingworth", "HX2 ", "Illingworth and Mixenden"},
	{"Northowram", "HX3 ", "Northowram and Shelf"},
	{"Greetland", "HX4 ", "Greetland and Stainland"},
	{"Elland", "HX5 ", "Elland"},
	{"Sowerby Bridge", "HX6 ", "Sowerby Bridge"},
	{"Hebden Bridge", "HX7 ", "Calder"},
}

var venues = []string{"Community Centre", "Library", "Methodist Hall", "Park Pavilion", "St Michael's Church Hall", "Sports Centre"}

type organisation struct {
	name   string
	sector linkwork.Sector
}

var organisations = []organisation{
	{"Calder Valley Primary Care Network", linkwork.SectorNHS},
	{"Halifax Central Primary Care Network", linkwork.SectorNHS},
	{"Lower Valley Primary Care Network", linkwork.SectorNHS},
	{"Upper Valley Primary Care Network", linkwork.SectorNHS},
	{"Calder and Ryburn Hospitals NHS Trust", linkwork.SectorNHS},
	{"Pennine Minds NHS Foundation Trust", linkwork.SectorNHS},
	{"Calderdale Adult Social Care", linkwork.SectorSocialCare},
	{"Calderdale Children and Families", linkwork.SectorSocialCare},
	{"Calderdale Council Public Health", linkwork.SectorCouncil},
	{"Calderdale Council Libraries", linkwork.SectorCouncil},
	{"Calderdale Council Housing Options", linkwork.SectorCouncil},
	{"Active Calderdale", linkwork.SectorCouncil},
	{"Pennine Homes Housing Association", linkwork.SectorHousing},
	{"Calder Valley Housing Trust", linkwork.SectorHousing},
	{"Ryburn Homes", linkwork.SectorHousing},
	{"West Yorkshire Police Neighbourhood Team", linkwork.SectorPolice},
	{"West Yorkshire Fire Safe and Well", linkwork.SectorFire},
	{"Halifax Voluntary Action", linkwork.SectorVCSE},
	{"Hebden Bridge Community Garden", linkwork.SectorVCSE},
	{"Elland Men's Shed", linkwork.SectorVCSE},
	{"Sowerby Bridge Community Choir", linkwork.SectorVCSE},
	{"Calder Valley Walking Friends", linkwork.SectorVCSE},
	{"Halifax Money Advice", linkwork.SectorVCSE},
	{"Age Friendly Halifax", linkwork.SectorVCSE},
	{"Calderdale Carers Hub", linkwork.SectorVCSE},
	{"Mind in the Calder Valley", linkwork.SectorVCSE},
	{"Calderdale Food Network", linkwork.SectorVCSE},
	{"Illingworth Community Association", linkwork.SectorVCSE},
	{"Northowram Parents Resource Centre", linkwork.SectorVCSE},
	{"Greetland Village Hall Trust", linkwork.SectorVCSE},
	{"Ryburn Arts Collective", linkwork.SectorVCSE},
	{"Digital Halifax", linkwork.SectorVCSE},
	{"Calderdale Refugee Welcome", linkwork.SectorVCSE},
	{"Calder Valley Bereavement Support", linkwork.SectorVCSE},
	{"Park Ward Mosque Welfare Group", linkwork.SectorFaith},
	{"St Mary's Halifax Community Hub", linkwork.SectorFaith},
	{"Elland Methodist Community Café", linkwork.SectorFaith},
	{"Calderdale College Adult Learning", linkwork.SectorEducation},
	{"Halifax Learning Partnership", linkwork.SectorEducation},
	{"Halifax Town Community Foundation", linkwork.SectorOther},
}

// org returns the index of an organisation by name; the content refers to them by name so
// that it reads clearly.
func org(name string) int {
	for i, o := range organisations {
		if o.name == name {
			return i
		}
	}
	panic("demo: no organisation " + name)
}

type user struct {
	email, name string
	role        linkwork.Role
	org         string
}

var users = []user{
	{"admin@example.org", "Alex Admin", linkwork.RoleAdmin, "Calderdale Council Public Health"},
	{"commissioner@example.org", "Chris Commissioner", linkwork.RoleCommissioner, "Calderdale Council Public Health"},
	{"manager@example.org", "Morgan Manager", linkwork.RoleManager, "Calder Valley Primary Care Network"},
	{"linkworker@example.org", "Lee Linkworker", linkwork.RoleLinkWorker, "Calder Valley Primary Care Network"},
	{"linkworker2@example.org", "Sam Shah", linkwork.RoleLinkWorker, "Halifax Central Primary Care Network"},
	{"referrer@example.org", "Dr Rhian Referrer", linkwork.RoleReferrer, "Halifax Central Primary Care Network"},
	{"community@example.org", "Casey Community", linkwork.RoleCommunity, "Hebden Bridge Community Garden"},
}

type scheme struct {
	name, org   string
	model       linkwork.SchemeModel
	description string
	refer       []linkwork.ReferrerType
	how         string
	funding     string
	fte         float64
	caseload    int
	wait        int
	system      string
	tools       []string
	areas       []string
	needs       []string
	clients     []string
}

var gp, self, hosp = linkwork.ReferrerGP, linkwork.ReferrerSelf, linkwork.ReferrerHospital

var schemes = []scheme{
	{"Calder Valley Social Prescribing", "Calder Valley Primary Care Network", linkwork.ModelPCNLinkWorker,
		"Link workers in the Calder Valley practices give people time to talk about what matters to them and connect them with groups, activities and advice nearby.",
		[]linkwork.ReferrerType{gp, self, linkwork.ReferrerVCSE}, "Ask at your GP practice, or fill in the self-referral form.",
		"NHS England additional roles", 4.5, 40, 3, "EMIS Web", []string{"ONS4", "SWEMWBS"},
		[]string{"Calder", "Luddenden Foot", "Todmorden"}, []string{"loneliness", "mental_wellbeing", "money_debt"}, []string{"everyone"}},
	{"Halifax Central Social Prescribing", "Halifax Central Primary Care Network", linkwork.ModelPCNLinkWorker,
		"Social prescribing link workers for the patients of the Halifax town centre practices.",
		[]linkwork.ReferrerType{gp}, "GP practices refer through the clinical system.",
		"NHS England additional roles", 5, 45, 6, "SystmOne", []string{"ONS4"},
		[]string{"Town", "Park", "Warley"}, []string{"loneliness", "mental_wellbeing", "housing"}, []string{"everyone"}},
	{"Lower Valley Wellbeing Team", "Lower Valley Primary Care Network", linkwork.ModelPCNLinkWorker,
		"Link workers and a health and wellbeing coach for Elland, Greetland and Stainland.",
		[]linkwork.ReferrerType{gp, self}, "Through your GP practice, or phone the team.",
		"NHS England additional roles", 3, 40, 2, "Elemental", []string{"SWEMWBS", "MYCaW"},
		[]string{"Elland", "Greetland and Stainland"}, []string{"physical_activity", "long_term_conditions"}, []string{"everyone"}},
	{"High Intensity User Service", "Calder and Ryburn Hospitals NHS Trust", linkwork.ModelHighIntensityUser,
		"Coaching and practical help for people who come to A&E very often, so that they get support that suits them better.",
		[]linkwork.ReferrerType{hosp, gp}, "The emergency department team refers; GPs can too.",
		"Integrated care board", 2, 25, 1, "Lorenzo", []string{"Patient Activation Measure"},
		[]string{"Town", "Park", "Illingworth and Mixenden", "Ovenden"}, []string{"mental_wellbeing", "housing", "substance_use"},
		[]string{"frequent_service_users"}},
	{"Upper Valley Practice Health Champions", "Upper Valley Primary Care Network", linkwork.ModelHealthChampion,
		"Volunteers in the practices who run groups and help patients find what is on locally.",
		[]linkwork.ReferrerType{gp, self}, "Ask at reception.", "Practice budgets", 0.5, 0, 0, "None", []string{},
		[]string{"Calder", "Ryburn"}, []string{"loneliness", "volunteering"}, []string{"everyone"}},
	{"Local Area Coordination Calderdale", "Calderdale Council Public Health", linkwork.ModelLocalAreaCoord,
		"Local Area Coordinators walk alongside people in their neighbourhood to build a good life, before crisis.",
		[]linkwork.ReferrerType{self, linkwork.ReferrerCouncil, gp, linkwork.ReferrerHousing}, "Anyone can introduce someone; phone or email the coordinator for the area.",
		"Calderdale Council", 6, 50, 4, "Spreadsheet", []string{"Outcome Star"},
		[]string{"Park", "Ovenden", "Illingworth and Mixenden", "Town", "Sowerby Bridge"}, []string{"loneliness", "money_debt", "housing"},
		[]string{"everyone"}},
	{"Pennine Homes Tenancy Connectors", "Pennine Homes Housing Association", linkwork.ModelHousingConnector,
		"Help for tenants to keep their home: money, neighbours, loneliness and getting connected.",
		[]linkwork.ReferrerType{linkwork.ReferrerHousing, self}, "Tenants can ask their housing officer.", "Housing association",
		2, 35, 2, "Civica CX", []string{"ONS4"}, []string{"Illingworth and Mixenden", "Ovenden", "Park"},
		[]string{"housing", "money_debt"}, []string{"everyone"}},
	{"Neighbourhood Police Connectors", "West Yorkshire Police Neighbourhood Team", linkwork.ModelPoliceConnector,
		"Connectors who support people the police meet often because of vulnerability, linking them to help instead.",
		[]linkwork.ReferrerType{linkwork.ReferrerPolice}, "Officers refer through the vulnerability hub.", "Police and Crime Commissioner",
		1, 20, 1, "Niche RMS", []string{}, []string{"Town", "Park"}, []string{"mental_wellbeing", "substance_use", "domestic_abuse"},
		[]string{"everyone"}},
	{"Community Navigators", "Halifax Voluntary Action", linkwork.ModelCommunityNavigator,
		"Navigators help people find their way to community groups, advice and activities across Calderdale.",
		[]linkwork.ReferrerType{self, linkwork.ReferrerVCSE, gp, linkwork.ReferrerCouncil}, "Phone, email or drop in on weekdays.",
		"National Lottery Community Fund", 3, 60, 5, "Charitylog", []string{"ONS4", "UCLA 3-item loneliness"},
		[]string{"Town", "Park", "Warley", "Sowerby Bridge", "Elland"}, []string{"loneliness", "volunteering", "digital_skills"},
		[]string{"everyone"}},
	{"Wellbeing Coaching", "Mind in the Calder Valley", linkwork.ModelHealthCoach,
		"Six sessions with a health and wellbeing coach to set goals and take small steps.",
		[]linkwork.ReferrerType{gp, self}, "Self-refer online or by phone.", "Integrated care board", 2, 30, 8, "Elemental",
		[]string{"SWEMWBS"}, []string{"Calder", "Sowerby Bridge", "Ryburn"}, []string{"mental_wellbeing", "long_term_conditions"},
		[]string{"mental_health"}},
}

// activity is a kind of community offer, run in several towns.
type activity struct {
	name, description string
	orgs              []string // who runs it, in turn
	needs, blocks     []string
	fiveWays          []string
	clients           []string
	access            []string
	day               []int // weekdays it may run on, 0 = Sunday
	opens, closes     string
	free              bool
	fees              string
	minAge, maxAge    int
}

var activities = []activity{
	{"Walking Group", "A friendly walk of about an hour at an easy pace, finishing with a cup of tea. Everyone is welcome; no booking.",
		[]string{"Calder Valley Walking Friends", "Active Calderdale"}, []string{"physical_activity", "loneliness"}, []string{"connect"},
		[]string{"be_active", "connect", "take_notice"}, []string{"everyone"}, []string{"public_transport"}, []int{2, 4, 6}, "10:00", "11:30", true, "", 0, 0},
	{"Community Choir", "Sing together for fun. No auditions and no need to read music.",
		[]string{"Sowerby Bridge Community Choir", "Ryburn Arts Collective"}, []string{"arts_creativity", "loneliness", "mental_wellbeing"},
		[]string{"connect", "skills_passions"}, []string{"connect", "keep_learning"}, []string{"everyone"}, []string{"step_free", "hearing_loop"},
		[]int{1, 3}, "19:00", "20:30", false, "£3 a session; free for people on benefits", 16, 0},
	{"Gardening Club", "Grow vegetables and flowers together in a shared plot. Tools and gloves provided.",
		[]string{"Hebden Bridge Community Garden", "Calderdale Food Network"}, []string{"nature_gardening", "mental_wellbeing", "food"},
		[]string{"space", "skills_passions"}, []string{"be_active", "take_notice", "give"}, []string{"everyone"}, []string{"parking"},
		[]int{3, 6}, "10:00", "13:00", true, "", 0, 0},
	{"Knit and Natter", "Bring your knitting or crochet, or learn. Tea and biscuits.",
		[]string{"Age Friendly Halifax", "St Mary's Halifax Community Hub"}, []string{"loneliness", "arts_creativity"}, []string{"connect"},
		[]string{"connect", "keep_learning"}, []string{"older_people"}, []string{"step_free", "accessible_toilet"}, []int{2, 4}, "14:00", "16:00", true, "", 0, 0},
	{"Men's Shed", "A workshop where men (and anyone else) make, mend and chat, shoulder to shoulder.",
		[]string{"Elland Men's Shed"}, []string{"loneliness", "mental_wellbeing"}, []string{"connect", "skills_passions", "space"},
		[]string{"connect", "give", "keep_learning"}, []string{"men"}, []string{"parking"}, []int{1, 3, 5}, "09:30", "13:00", false, "£2 towards materials", 18, 0},
	{"Money and Debt Drop-in", "Free, confidential advice on debts, bills and benefits from trained advisers.",
		[]string{"Halifax Money Advice"}, []string{"money_debt", "benefits_advice"}, []string{"take_control"}, []string{},
		[]string{"everyone"}, []string{"step_free", "bsl"}, []int{1, 3}, "10:00", "15:00", true, "", 18, 0},
	{"Digital Skills Café", "Help with phones, tablets and computers: video calls, online forms, staying safe.",
		[]string{"Digital Halifax", "Calderdale Council Libraries"}, []string{"digital_skills", "loneliness"}, []string{"skills_passions", "take_control"},
		[]string{"keep_learning"}, []string{"older_people", "everyone"}, []string{"step_free", "large_print"}, []int{2, 5}, "13:30", "15:30", true, "", 0, 0},
	{"Chair-based Exercise", "Gentle seated exercise to music, good for balance and strength.",
		[]string{"Active Calderdale", "Age Friendly Halifax"}, []string{"physical_activity", "long_term_conditions"}, []string{"connect"},
		[]string{"be_active"}, []string{"older_people", "disabled_people"}, []string{"step_free", "accessible_toilet"}, []int{1, 4}, "11:00", "12:00", false, "£2.50", 50, 0},
	{"Carers' Coffee Morning", "Time out for unpaid carers: a chat, a brew and information from people who understand.",
		[]string{"Calderdale Carers Hub"}, []string{"carers", "loneliness"}, []string{"connect", "take_control"}, []string{"connect"},
		[]string{"carers"}, []string{"step_free"}, []int{3}, "10:00", "12:00", true, "", 18, 0},
	{"Bereavement Café", "A gentle space to talk about someone who has died, with trained volunteers.",
		[]string{"Calder Valley Bereavement Support", "Elland Methodist Community Café"}, []string{"bereavement", "mental_wellbeing"},
		[]string{"connect", "space"}, []string{"connect"}, []string{"everyone"}, []string{"step_free", "quiet_space"}, []int{4}, "14:00", "16:00", true, "", 18, 0},
	{"Art for Wellbeing", "Drawing, painting and collage for relaxation. All materials provided, no experience needed.",
		[]string{"Ryburn Arts Collective", "Mind in the Calder Valley"}, []string{"arts_creativity", "mental_wellbeing"},
		[]string{"skills_passions", "space"}, []string{"take_notice", "keep_learning"}, []string{"mental_health", "everyone"}, []string{"quiet_space"},
		[]int{2}, "13:00", "15:00", true, "", 18, 0},
	{"Cooking on a Budget", "Learn to cook healthy meals for less, and take home what you make.",
		[]string{"Calderdale Food Network", "Calderdale College Adult Learning"}, []string{"food", "money_debt"}, []string{"skills_passions", "take_control"},
		[]string{"keep_learning"}, []string{"families", "everyone"}, []string{"step_free"}, []int{3, 5}, "10:00", "12:30", true, "", 16, 0},
	{"English Conversation Club", "Practise speaking English in a relaxed group and make friends.",
		[]string{"Calderdale Refugee Welcome", "Halifax Learning Partnership"}, []string{"learning", "loneliness"}, []string{"connect", "skills_passions"},
		[]string{"connect", "keep_learning"}, []string{"refugees_asylum", "ethnic_minorities"}, []string{"public_transport"}, []int{1, 3}, "18:00", "19:30", true, "", 16, 0},
	{"Food Pantry", "Choose your own weekly shop for a small membership fee; no referral needed.",
		[]string{"Calderdale Food Network", "St Mary's Halifax Community Hub"}, []string{"food", "money_debt"}, []string{"take_control"}, []string{},
		[]string{"everyone"}, []string{"step_free"}, []int{2, 5}, "12:00", "15:00", false, "£5 a week membership", 18, 0},
	{"Volunteering Taster", "Try volunteering with local groups for an afternoon, with someone alongside you.",
		[]string{"Halifax Voluntary Action"}, []string{"volunteering", "employment_skills"}, []string{"skills_passions", "connect"}, []string{"give"},
		[]string{"everyone"}, []string{"step_free"}, []int{4}, "13:00", "16:00", true, "", 16, 0},
	{"Memory Café", "A welcoming café for people living with dementia and the people who care for them.",
		[]string{"Age Friendly Halifax", "Elland Methodist Community Café"}, []string{"long_term_conditions", "carers", "loneliness"},
		[]string{"connect", "space"}, []string{"connect"}, []string{"older_people", "carers"}, []string{"step_free", "accessible_toilet", "quiet_space"},
		[]int{1}, "14:00", "16:00", true, "", 0, 0},
	{"Tai Chi", "Slow, flowing movement for balance, strength and calm.",
		[]string{"Active Calderdale"}, []string{"physical_activity", "mental_wellbeing"}, []string{"connect"}, []string{"be_active", "take_notice"},
		[]string{"older_people", "everyone"}, []string{"step_free"}, []int{3}, "10:30", "11:30", false, "£3", 16, 0},
	{"Parent and Toddler Group", "Play, songs and a chat for parents and carers with children under five.",
		[]string{"Northowram Parents Resource Centre", "Illingworth Community Association"}, []string{"loneliness", "mental_wellbeing"},
		[]string{"connect", "space"}, []string{"connect"}, []string{"families"}, []string{"step_free", "accessible_toilet"}, []int{2, 4}, "09:30", "11:30", true, "", 0, 0},
	{"Peer Support Group", "Meet others who have been through hard times with their mental health, led by peer supporters.",
		[]string{"Mind in the Calder Valley"}, []string{"mental_wellbeing"}, []string{"connect", "take_control"}, []string{"connect"},
		[]string{"mental_health"}, []string{"quiet_space"}, []int{1, 4}, "18:00", "19:30", true, "", 18, 0},
	{"Community Football", "Casual football for all abilities, with a walking football session too.",
		[]string{"Halifax Town Community Foundation"}, []string{"physical_activity", "loneliness"}, []string{"connect"}, []string{"be_active", "connect"},
		[]string{"men", "everyone"}, []string{"parking"}, []int{3, 6}, "18:30", "20:00", false, "£2", 16, 0},
	{"Women's Wellbeing Circle", "A women-only group for gentle exercise, conversation and support.",
		[]string{"Park Ward Mosque Welfare Group"}, []string{"mental_wellbeing", "physical_activity"}, []string{"connect", "space"},
		[]string{"connect", "be_active"}, []string{"women", "ethnic_minorities"}, []string{"step_free"}, []int{5}, "10:30", "12:00", true, "", 18, 0},
	{"Job Club", "Help with CVs, applications and interviews, one to one and in a group.",
		[]string{"Halifax Learning Partnership", "Calderdale College Adult Learning"}, []string{"employment_skills", "digital_skills"},
		[]string{"skills_passions", "take_control"}, []string{"keep_learning"}, []string{"everyone"}, []string{"step_free"}, []int{2}, "10:00", "12:00", true, "", 16, 0},
}

var firstNames = []string{"Aisha", "Ben", "Chloe", "Dan", "Ellie", "Farhan", "Grace", "Hassan", "Imogen", "Jack", "Kiran", "Laura",
	"Mo", "Nadia", "Owen", "Priya", "Rachel", "Sajid", "Tom", "Uzma", "Vicky", "Wes", "Yasmin", "Zak", "Beth", "Callum", "Dee", "Emma", "Fiona", "Gary"}

var lastNames = []string{"Ahmed", "Brook", "Clarke", "Dawson", "Ellis", "Fielding", "Greenwood", "Hussain", "Iqbal", "Jagger",
	"Kaur", "Lumb", "Mitchell", "Naylor", "O'Neill", "Patel", "Riley", "Sutcliffe", "Thornton", "Uddin", "Walsh", "Yates", "Zaman",
	"Barker", "Crowther", "Dyson", "Eastwood", "Firth", "Gledhill", "Holroyd"}

var specialisms = []string{"Mental health", "Older people", "Young people", "Carers", "Money and debt", "Housing", "Long-term conditions",
	"Bereavement", "Refugees and asylum", "Learning disability", "Substance use", "Men's health"}

var languages = []string{"Urdu", "Punjabi", "Polish", "Bengali", "Arabic", "British Sign Language", "Kurdish"}
