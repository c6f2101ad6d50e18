package gen

import "linkwork"

// activity is a kind of community offer, with the words and terms a real one has.
type activity struct {
	names          []string
	needs          []string
	blocks         []string
	ways           []string
	about          []string
	minAge, maxAge int // -1 for none
	free           float64
	scheme         linkwork.SchemeModel // a connector scheme when set
}

func a(names, needs, blocks, ways []string, about []string, minAge, maxAge int, free float64) activity {
	return activity{names: names, needs: needs, blocks: blocks, ways: ways, about: about, minAge: minAge, maxAge: maxAge, free: free}
}

func l(s ...string) []string { return s }

var activities = []activity{
	a(l("Walking Group", "Health Walks", "Ramblers"), l("physical_activity", "loneliness"), l("connect"), l("be_active", "connect"),
		l("A friendly walking group for all abilities.", "Gentle walks of an hour or so, at the pace of the slowest walker.",
			"Walks start from the same place every week and finish with a cup of tea.", "Trained walk leaders go with every walk."), 18, -1, 0.95),
	a(l("Nordic Walking", "Pole Walking"), l("physical_activity", "mental_wellbeing"), l("connect"), l("be_active"),
		l("Nordic walking with poles, which works the whole body.", "Poles are lent for your first sessions.",
			"Exercise and a chat with others who know what it is like."), 18, -1, 0.7),
	a(l("Walking Football", "Walking Netball"), l("physical_activity", "loneliness"), l("connect", "skills_passions"), l("be_active"),
		l("The game you love at walking pace: no running, no slide tackles.", "For men and women who want to get back into sport.",
			"Friendly games followed by a drink in the clubhouse."), 50, -1, 0.5),
	a(l("Community Garden", "Gardening Club", "Allotment Project", "Green Gym"), l("nature_gardening", "physical_activity"),
		l("space", "skills_passions"), l("be_active", "take_notice"),
		l("Grow fruit and vegetables together on our community plot.", "No gardening experience needed: we will show you how.",
			"Tools, gloves and seeds are provided.", "Take home what you grow and learn about composting and wildlife."), -1, -1, 0.8),
	a(l("Conservation Volunteers", "Woodland Days"), l("nature_gardening", "volunteering"), l("skills_passions", "space"),
		l("give", "be_active", "take_notice"), l("Practical conservation work in local woods and along the canal.",
			"Hedge laying, path repair and tree planting.", "Lunch and transport from the town centre are provided."), 16, -1, 1),
	a(l("Knit and Natter", "Craft Club", "Sewing Circle"), l("loneliness", "arts_creativity"), l("connect", "skills_passions"),
		l("connect", "keep_learning"), l("Bring your knitting, crochet or sewing and have a natter.",
			"Beginners are taught by our experienced members.", "Wool and needles can be borrowed."), -1, -1, 0.9),
	a(l("Community Choir", "Singing for the Brain", "Sing and Smile"), l("arts_creativity", "mental_wellbeing", "loneliness"),
		l("connect", "skills_passions"), l("connect", "take_notice"),
		l("A choir for people who think they cannot sing.", "No auditions and no need to read music.",
			"Singing lifts the mood and helps the breathing.", "Songs from the shows, pop and folk."), -1, -1, 0.7),
	a(l("Art Group", "Painting for Pleasure", "Creative Arts Studio"), l("arts_creativity", "mental_wellbeing"),
		l("skills_passions", "space"), l("keep_learning", "take_notice"),
		l("Drawing and painting in a relaxed studio.", "Materials provided; bring your own project if you like.",
			"Tutors help with watercolour, acrylics and sketching."), -1, -1, 0.5),
	a(l("Men's Shed", "Repair Cafe"), l("loneliness", "mental_wellbeing", "volunteering"), l("connect", "skills_passions", "space"),
		l("connect", "give", "keep_learning"), l("A workshop where men (and women) make and mend things together.",
			"Woodwork, metalwork and repairs for the community.", "Bring your broken toaster or bike and we will fix it with you."), 18, -1, 0.8),
	a(l("Lunch Club", "Community Cafe", "Friendship Lunch"), l("food", "loneliness"), l("connect", "space"), l("connect"),
		l("A hot two-course lunch and good company.", "Transport can be arranged for people who cannot get out easily.",
			"Special diets catered for."), 60, -1, 0.3),
	a(l("Food Bank", "Community Pantry", "Food Share"), l("food", "money_debt"), l("take_control"), l("give"),
		l("Emergency food parcels for people in crisis, with a referral voucher.", "A weekly shop of surplus food for a small membership fee.",
			"Advice on benefits and debt is on hand at every session."), -1, -1, 0.9),
	a(l("Cook and Eat", "Healthy Cooking Course"), l("food", "learning", "long_term_conditions"), l("skills_passions", "take_control"),
		l("keep_learning"), l("Learn to cook simple, healthy meals on a budget.", "Six weekly sessions; eat what you cook together.",
			"Ideal for people living with diabetes."), 16, -1, 0.8),
	a(l("Debt Advice", "Money Advice Drop-in", "Benefits Clinic"), l("money_debt", "benefits_advice"), l("take_control"), nil,
		l("Free, confidential advice on debt, benefits and budgeting.", "Help to fill in forms and challenge decisions.",
			"Advisers can speak to creditors for you."), 18, -1, 1),
	a(l("Housing Advice", "Tenancy Support"), l("housing", "money_debt"), l("take_control"), nil,
		l("Help to keep your home: rent arrears, repairs and tenancy problems.", "Support for people at risk of homelessness.",
			"Home visits for people who cannot come to us."), 16, -1, 1),
	a(l("Carers Support Group", "Carers Cafe"), l("carers", "mental_wellbeing"), l("connect", "take_control"), l("connect"),
		l("Time out for unpaid carers, with others who understand.", "Information about carers assessments and breaks.",
			"Sitting service available so you can attend."), 16, -1, 1),
	a(l("Job Club", "Work Skills Hub", "CV Workshop"), l("employment_skills", "digital_skills"), l("skills_passions", "take_control"),
		l("keep_learning"), l("Help with CVs, job searches and interviews.", "Computers and printing available.",
			"Talk to employers who are recruiting locally."), 16, 64, 1),
	a(l("Digital Drop-in", "Tech Help", "Silver Surfers"), l("digital_skills", "loneliness"), l("skills_passions", "take_control"),
		l("keep_learning"), l("Help with phones, tablets and laptops.", "Learn to video call family and order prescriptions online.",
			"Tablets can be borrowed to take home."), -1, -1, 1),
	a(l("English Conversation Club", "ESOL Class"), l("learning", "loneliness"), l("connect", "skills_passions"), l("keep_learning", "connect"),
		l("Practise speaking English in a friendly group.", "For people new to the area and learning English.",
			"Volunteers help with reading letters and forms."), 16, -1, 1),
	a(l("Bereavement Support Group", "Bereavement Cafe"), l("bereavement", "mental_wellbeing"), l("connect"), l("connect"),
		l("Support after the death of someone close.", "Talk, or just listen, over a cup of tea.",
			"Trained volunteers offer one-to-one support too."), 18, -1, 1),
	a(l("Peer Support Group", "Wellbeing Cafe", "Recovery College"), l("mental_wellbeing"), l("connect", "take_control"),
		l("connect", "keep_learning"), l("A safe space to talk about how you are feeling.",
			"Run by people with their own experience of mental ill health.", "Courses on managing anxiety, sleep and low mood."), 18, -1, 1),
	a(l("Befriending Service", "Telephone Friends"), l("befriending", "loneliness"), l("connect"), l("connect"),
		l("A volunteer visits or phones every week for a chat.", "For older people who are lonely or cut off.",
			"We match you with someone who shares your interests."), 60, -1, 1),
	a(l("Chair Exercise", "Gentle Movement", "Falls Prevention Class"), l("physical_activity", "long_term_conditions"),
		l("take_control"), l("be_active"), l("Seated exercise to build strength and balance.", "Suitable for people with limited mobility.",
			"Led by a qualified instructor."), 55, -1, 0.6),
	a(l("Parkrun Volunteers", "Couch to 5k", "Running Club"), l("physical_activity", "mental_wellbeing"), l("connect", "skills_passions"),
		l("be_active"), l("From the sofa to running five kilometres in nine weeks.", "A friendly running group for beginners.",
			"Run, jog or walk: everyone finishes."), 16, -1, 0.9),
	a(l("Swimming Sessions", "Aqua Fit"), l("physical_activity", "long_term_conditions"), l("take_control"), l("be_active"),
		l("Exercise in warm water, easy on the joints.", "Quiet sessions for adults who are not confident in the water."), 16, -1, 0.2),
	a(l("Yoga", "Tai Chi", "Mindfulness Course"), l("mental_wellbeing", "physical_activity"), l("take_control"), l("take_notice", "be_active"),
		l("Slow movement and breathing to calm the mind.", "Mats provided; wear comfortable clothes.",
			"Learn techniques to use at home when life is stressful."), 16, -1, 0.4),
	a(l("Dementia Cafe", "Memory Cafe"), l("long_term_conditions", "carers", "loneliness"), l("connect", "space"), l("connect"),
		l("A welcoming cafe for people living with dementia and their carers.", "Music, reminiscence and information.",
			"Staff are trained dementia friends."), -1, -1, 1),
	a(l("Youth Club", "Young People's Project"), l("mental_wellbeing", "loneliness"), l("connect", "space"), l("connect", "be_active"),
		l("Games, sport and trips for young people.", "Youth workers are there to listen and help.",
			"A safe, warm place to be after school."), 11, 18, 0.9),
	a(l("Stay and Play", "Parent and Toddler Group", "Baby Massage"), l("loneliness", "learning"), l("connect", "space"), l("connect"),
		l("Play, songs and stories for under-fives and their grown-ups.", "Meet other parents and carers over a brew.",
			"Health visitors drop in once a month."), 0, 5, 0.8),
	a(l("Reading Group", "Book Club", "Poetry Circle"), l("learning", "loneliness", "arts_creativity"), l("connect", "skills_passions"),
		l("keep_learning", "connect"), l("Read and talk about a book a month.", "Books are lent by the library.",
			"Large print and audio copies available."), -1, -1, 1),
	a(l("History Society", "Local Heritage Group"), l("learning", "loneliness"), l("skills_passions", "connect"), l("keep_learning"),
		l("Talks and trips about the history of the valley.", "Research your family tree with our volunteers."), -1, -1, 0.5),
	a(l("Volunteer Centre", "Volunteering Hub"), l("volunteering", "employment_skills"), l("skills_passions", "connect"), l("give"),
		l("Find a volunteering role that suits you.", "Over a hundred local groups need volunteers.",
			"Volunteering builds confidence and skills for work."), 16, -1, 1),
	a(l("Community Transport", "Dial-a-Ride"), l("transport", "loneliness"), l("take_control"), nil,
		l("Door-to-door minibus for people who cannot use buses.", "Trips to the shops, the doctor and social groups.",
			"Wheelchair accessible vehicles."), -1, -1, 0.3),
	a(l("Recovery Group", "SMART Recovery Meeting"), l("substance_use", "mental_wellbeing"), l("connect", "take_control"), l("connect"),
		l("Mutual aid for people recovering from alcohol or drug problems.", "Confidential and free; no referral needed."), 18, -1, 1),
	a(l("Domestic Abuse Support", "Freedom Programme"), l("domestic_abuse", "mental_wellbeing"), l("take_control"), nil,
		l("Confidential support for anyone affected by domestic abuse.", "A twelve-week course to understand abusive relationships.",
			"Childcare can be arranged."), 16, -1, 1),
	a(l("Diabetes Support Group", "Breathe Easy", "Heart Support Group"), l("long_term_conditions", "physical_activity"),
		l("take_control", "connect"), l("keep_learning", "connect"), l("Share tips on living well with a long-term condition.",
			"Talks from nurses and dietitians.", "Singing and exercise for better breathing."), 18, -1, 1),
	a(l("Fishing Club", "Angling for Wellbeing"), l("mental_wellbeing", "nature_gardening"), l("skills_passions", "connect"),
		l("take_notice"), l("Learn to fish by the canal and the reservoirs.", "Rods and bait provided.", "Quiet time outdoors with others."), 12, -1, 0.6),
	a(l("Cycling Group", "Bike Library", "Learn to Ride"), l("physical_activity", "transport"), l("skills_passions", "take_control"),
		l("be_active"), l("Borrow a bike and ride the quiet lanes.", "Led rides for returning cyclists.", "Bike maintenance sessions."), 12, -1, 0.8),
	a(l("Dance Class", "Tea Dance", "Line Dancing"), l("physical_activity", "loneliness", "arts_creativity"), l("connect"), l("be_active", "connect"),
		l("Dance to music from the fifties to today.", "No partner needed.", "Tea and cake in the interval."), -1, -1, 0.4),
	a(l("Pottery Studio", "Woodcarving Class"), l("arts_creativity"), l("skills_passions"), l("keep_learning", "take_notice"),
		l("Make things with your hands: throw pots or carve wood.", "Small groups with an experienced maker."), 16, -1, 0.3),
	a(l("Photography Club", "Nature Photography"), l("arts_creativity", "nature_gardening", "physical_activity"), l("skills_passions"),
		l("take_notice", "be_active"), l("Photographing the countryside and the towns.", "Any camera or phone will do."), 16, -1, 0.8),
	a(l("Faith Community Drop-in", "Warm Space"), l("loneliness", "food", "housing"), l("space", "connect"), l("connect"),
		l("A warm, welcoming space with free drinks and a hot meal.", "Wi-Fi, newspapers and phone charging.",
			"Everyone is welcome, of any faith or none."), -1, -1, 1),
	a(l("Social Prescribing Link Workers"), l("mental_wellbeing", "loneliness", "long_term_conditions"), l("take_control", "connect"), nil,
		l("Link workers give people time to talk about what matters to them.",
			"We connect people to community groups, walking groups and support.", "Referral from your GP practice."), 18, -1, 1),
	a(l("Local Area Coordination"), l("loneliness", "housing", "money_debt"), l("take_control", "connect"), nil,
		l("Local area coordinators work alongside people to build a good life.", "No forms, no waiting lists, no eligibility criteria."), -1, -1, 1),
	a(l("Health and Wellbeing Coaching"), l("long_term_conditions", "physical_activity", "mental_wellbeing"), l("take_control"), nil,
		l("Coaching to set and reach your own health goals.", "Six to twelve sessions, in person, by phone or online."), 18, -1, 1),
}

func init() {
	for i := range activities {
		switch activities[i].names[0] {
		case "Social Prescribing Link Workers":
			activities[i].scheme = linkwork.ModelPCNLinkWorker
		case "Local Area Coordination":
			activities[i].scheme = linkwork.ModelLocalAreaCoord
		case "Health and Wellbeing Coaching":
			activities[i].scheme = linkwork.ModelHealthCoach
		}
	}
}

var generic = l("Everyone is welcome.", "Refreshments are provided.", "No need to book: just turn up.",
	"Please ring before your first visit.", "Run by local volunteers.", "The venue has step-free access.",
	"Free parking nearby.", "Close to bus routes into town.", "Carers come free.", "We are a small, friendly group.",
	"Sessions run all year except bank holidays.", "Bring a friend if you are nervous about coming alone.",
	"Ask us about help with transport.", "Funded by the National Lottery Community Fund.")

var otherNeeds = l("loneliness", "mental_wellbeing", "physical_activity", "learning", "volunteering")

var clientGroups = l("everyone", "older_people", "young_people", "families", "carers", "men", "women", "lgbtq", "disabled_people",
	"learning_disability", "mental_health", "refugees_asylum", "veterans", "ethnic_minorities", "long_term_conditions")

var accessibility = l("step_free", "accessible_toilet", "hearing_loop", "bsl", "large_print", "quiet_space", "parking",
	"public_transport", "online", "home_visits")

// areas are places in Calderdale, the HX postcode area.
var areas = l("Halifax", "King Cross", "Pellon", "Ovenden", "Mixenden", "Illingworth", "Boothtown", "Siddal", "Southowram",
	"Northowram", "Shelf", "Savile Park", "Skircoat Green", "Copley", "Sowerby Bridge", "Sowerby", "Ripponden", "Elland",
	"Greetland", "Stainland", "Barkisland", "Luddenden", "Luddenden Foot", "Mytholmroyd", "Hebden Bridge", "Heptonstall",
	"Warley", "Wainstalls", "Holmfield", "Claremount", "Lee Mount", "Akroyd", "Calder Valley", "Mount Tabor", "Cragg Vale")

var adjectives = l("Friendly", "Community", "Tuesday", "Thursday", "Saturday", "Valley", "Hilltop", "Riverside", "Canal Side",
	"Over 50s", "Ladies'", "Family", "Beginners'", "Evening", "Morning")

var venues = l("St Mary's Church Hall", "the Community Centre", "the Library", "the Methodist Chapel", "the Leisure Centre",
	"the Mosque Community Room", "the Old School", "the Working Men's Club", "the Town Hall", "the Park Pavilion",
	"the Scout Hut", "the Health Centre", "the Square Chapel", "the Piece Hall", "the Salvation Army Hall")

var streets = l("Commercial Street", "Market Street", "Northgate", "Southgate", "Gibbet Street", "Queens Road", "Pellon Lane",
	"Hopwood Lane", "Skircoat Road", "Huddersfield Road", "Wakefield Road", "Bradford Road", "Burnley Road", "Keighley Road",
	"Town Hall Street", "Wharf Street", "Station Road", "Church Lane", "Mill Lane", "Back Lane")

var saints = l("Mary", "John", "Paul", "Thomas", "Jude", "Anne", "George", "Michael", "Andrew", "Hilda")

// orgKinds are the organisations of a place, with their sectors.
var orgKinds = []struct {
	pattern string
	sector  linkwork.Sector
}{
	{"{area} Community Association", linkwork.SectorVCSE}, {"{area} Development Trust", linkwork.SectorVCSE},
	{"{area} Residents' Association", linkwork.SectorVCSE}, {"{area} Men's Shed", linkwork.SectorVCSE},
	{"{area} Arts Collective", linkwork.SectorVCSE}, {"{area} Sports Club", linkwork.SectorVCSE},
	{"{area} Food Bank", linkwork.SectorVCSE}, {"{area} Allotment Society", linkwork.SectorVCSE},
	{"{area} Youth Project", linkwork.SectorVCSE}, {"{area} Carers' Network", linkwork.SectorVCSE},
	{"St {saint}'s Church, {area}", linkwork.SectorFaith}, {"{area} Methodist Church", linkwork.SectorFaith},
	{"{area} Mosque", linkwork.SectorFaith}, {"{area} Primary Care Network", linkwork.SectorNHS},
	{"{area} Medical Practice", linkwork.SectorNHS}, {"{area} Library", linkwork.SectorCouncil},
	{"{area} Housing Co-operative", linkwork.SectorHousing}, {"{area} Primary School", linkwork.SectorEducation},
	{"{area} Age Friendly Group", linkwork.SectorVCSE}, {"{area} Mind", linkwork.SectorVCSE},
}
