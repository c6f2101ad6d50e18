package gen

// The words of generated people and their casework: names, and for each need the reasons a
// referrer gives, what matters to the person, and goals with small steps, as link workers
// write them.

var femaleNames = l("Margaret", "Susan", "Janet", "Christine", "Linda", "Patricia", "Elaine", "Karen", "Julie", "Sharon",
	"Joan", "Dorothy", "Brenda", "Pauline", "Sandra", "Gillian", "Angela", "Tracey", "Michelle", "Nicola", "Emma", "Sarah",
	"Rebecca", "Laura", "Hannah", "Jessica", "Chloe", "Amy", "Lauren", "Sophie", "Kirsty", "Donna", "Jean", "Irene", "Barbara",
	"Anne", "Mary", "Helen", "Alison", "Wendy", "Fatima", "Aisha", "Shazia", "Nasreen", "Samina", "Rukhsana", "Parveen",
	"Nusrat", "Agnieszka", "Katarzyna", "Ewa", "Maria", "Grace", "Olivia", "Megan", "Zainab", "Amina", "Bernadette", "Lorraine",
	"Denise", "Hazel", "Marjorie", "Edna", "Sheila", "Doreen")

var maleNames = l("John", "David", "Michael", "Peter", "Stephen", "Paul", "Andrew", "Robert", "Brian", "Keith", "Alan",
	"Graham", "Trevor", "Kevin", "Gary", "Mark", "Darren", "Lee", "Craig", "Wayne", "Daniel", "James", "Thomas", "Matthew",
	"Christopher", "Ryan", "Jordan", "Liam", "Callum", "Jack", "Harry", "George", "Derek", "Raymond", "Kenneth", "Frank", "Ernest",
	"Mohammed", "Imran", "Tariq", "Asif", "Zahid", "Nadeem", "Shahid", "Khalid", "Arif", "Piotr", "Tomasz", "Marek", "Ahmed",
	"Samuel", "Joseph", "William", "Dennis", "Barry", "Colin", "Terence", "Malcolm", "Neil", "Ian", "Simon", "Martin", "Philip")

var familyNames = l("Smith", "Jones", "Taylor", "Brown", "Wilson", "Wood", "Walker", "Hall", "Thomas", "Jackson", "Wright",
	"Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Lewis", "Harrison", "Clarke", "Turner", "Hill", "Cooper",
	"Ward", "Moore", "King", "Marshall", "Shaw", "Holmes", "Mitchell", "Ackroyd", "Bairstow", "Crabtree", "Dyson", "Earnshaw",
	"Fielding", "Greenwood", "Holroyd", "Illingworth", "Jagger", "Kershaw", "Lister", "Naylor", "Oldroyd", "Priestley",
	"Quarmby", "Redman", "Sutcliffe", "Thackray", "Uttley", "Varley", "Wadsworth", "Yates", "Sunderland", "Haigh", "Hirst",
	"Mellor", "Crowther", "Firth", "Barker", "Pickles", "Riley", "Sykes", "Booth", "Horsfall", "Ingham", "Midgley", "Feather",
	"Ahmed", "Begum", "Hussain", "Khan", "Ali", "Akhtar", "Bibi", "Iqbal", "Mahmood", "Shah", "Rashid", "Aziz", "Patel",
	"Kowalski", "Nowak", "Wiśniewski", "Murphy", "O'Brien", "Kelly", "Doyle", "Campbell", "Stewart", "Morgan", "Evans",
	"Davies", "Roberts", "Jenkins", "Singh", "Kaur", "Mistry", "Okafor", "Mensah", "Asante", "Nguyen", "Chen", "Wong")

var languages = l("Urdu", "Punjabi", "Polish", "Bengali", "Arabic", "Romanian", "Kurdish", "Pashto", "Slovak", "Tigrinya")

var accessNeeds = l("Large print letters, please.", "Uses a hearing aid: a hearing loop helps.",
	"Needs a British Sign Language interpreter.", "Uses a wheelchair: ground-floor rooms only.",
	"Has a learning disability: easy read information and extra time, please.", "Partially sighted: phone rather than write.",
	"Anxious in new places: meet somewhere familiar first.")

var gpPractices = l("The Grange Surgery", "Beechwood Medical Centre", "Park Lane Surgery", "Station Road Medical Practice",
	"Northgate Health Centre", "Church Lane Surgery", "Valley View Practice", "Riverside Medical Group", "Hillside Surgery",
	"Market Street Practice")

var referrerRoles = map[string][]string{
	"gp_practice": l("GP", "Practice nurse", "Care coordinator", "Health and wellbeing coach", "Clinical pharmacist"),
	"hospital":    l("Discharge coordinator", "Ward sister", "Occupational therapist", "Physiotherapist"),
	"housing":     l("Housing officer", "Tenancy support worker"),
	"council":     l("Social worker", "Early help worker", "Adult social care assessor"),
	"vcse":        l("Support worker", "Volunteer coordinator", "Advice worker"),
	"police":      l("Police community support officer", "Neighbourhood officer"),
	"other":       l("Pharmacist", "Job centre work coach", "Librarian"),
}

// needWords are what people referred for a need, and their link workers, say.
type needWords struct {
	reasons []string
	matters []string
	goals   []goalWords
}

type goalWords struct {
	text  string
	steps []string
}

func g(text string, steps ...string) goalWords { return goalWords{text, steps} }

var needText = map[string]needWords{
	"loneliness": {l("Lives alone and has very little contact with anyone; says days go by without speaking to a soul.",
		"Has become isolated since moving to the area and does not know anyone nearby."),
		l("Having people to talk to, and somewhere to go in the week.", "Feeling part of something again."),
		[]goalWords{g("Meet new people", "Go to the lunch club with my link worker", "Go to the lunch club on my own", "Ask someone there for their number"),
			g("Get out of the house twice a week", "Find out about the community bus", "Go to the library coffee morning")}},
	"mental_wellbeing": {l("Low mood and anxiety for some months; not wanting medication and would like other support.",
		"Struggling with stress and sleep; has stopped doing things they used to enjoy."),
		l("Feeling more like myself and sleeping better.", "Being able to go out without panicking."),
		[]goalWords{g("Feel calmer day to day", "Try the mindfulness course taster", "Practise the breathing exercise each morning"),
			g("Sleep better", "Keep a sleep diary for two weeks", "Go for a walk every afternoon")}},
	"physical_activity": {l("Would benefit from being more active; has put on weight and is losing confidence.",
		"Recovering from an operation and needs a gentle way back to exercise."),
		l("Being fit enough to play with my grandchildren.", "Getting my strength back."),
		[]goalWords{g("Be more active", "Try the health walk on Tuesday", "Walk to the shops instead of the bus", "Join the chair exercise class"),
			g("Lose some weight", "Go to the healthy cooking course", "Swap biscuits for fruit in the afternoon")}},
	"money_debt": {l("Worried about debts and rent arrears; letters are piling up unopened.",
		"Income dropped after losing work; struggling to pay for heating and food."),
		l("Not lying awake worrying about money.", "Knowing where I stand with the bills."),
		[]goalWords{g("Get on top of the debts", "Open the letters together", "Book an appointment with the money advice service", "Set up a budget"),
			g("Keep warm this winter", "Apply for the warm home discount", "Ask the energy company about a payment plan")}},
	"housing": {l("Housing is damp and overcrowded and it is affecting their health.", "At risk of losing their tenancy."),
		l("A safe, warm home.", "Staying in my flat."),
		[]goalWords{g("Sort out the damp", "Report the damp to the landlord in writing", "Ask the tenancy support service for help"),
			g("Keep my tenancy", "Go to the housing advice drop-in", "Agree a plan for the arrears")}},
	"carers": {l("Cares full time for a partner with dementia and is exhausted.", "Unpaid carer for a disabled son with no break."),
		l("A bit of time for myself.", "Knowing there is help if I need it."),
		[]goalWords{g("Get a break from caring", "Ask for a carer's assessment", "Go to the carers' cafe", "Try the sitting service"),
			g("Look after my own health", "Book my own health check")}},
	"employment_skills": {l("Out of work for a year and losing confidence; would like to get back into work.",
		"Wants to find work but has no recent experience or references."),
		l("A job, and a reason to get up in the morning.", "Feeling useful again."),
		[]goalWords{g("Get ready for work", "Go to the job club", "Update my CV", "Apply for two jobs a week"),
			g("Build my confidence", "Try a volunteering role one morning a week")}},
	"arts_creativity": {l("Used to paint and sing and misses it; it helped their mood.", "Looking for something creative to do."),
		l("Doing something creative again.", "Singing with other people."),
		[]goalWords{g("Do something creative every week", "Try the art group", "Buy a sketchbook", "Join the community choir"),
			g("Share what I make", "Take a painting to the art group's show")}},
	"nature_gardening": {l("Loved gardening but has no garden now; would benefit from time outdoors.",
		"Spends all day indoors; time in nature may help their mood."),
		l("Being outside and growing things.", "Fresh air and something to look after."),
		[]goalWords{g("Get my hands in the soil again", "Visit the community garden", "Go to the garden every Thursday"),
			g("Spend time outdoors", "Walk in the park twice a week")}},
	"food": {l("Not eating properly; cupboards often empty by the end of the month.", "Cooks little since their wife died."),
		l("Proper meals and not going hungry.", "Cooking again."),
		[]goalWords{g("Eat better", "Get a food bank voucher", "Go to the community pantry", "Try the cook and eat course"),
			g("Cook a hot meal most days", "Make a shopping list with my link worker")}},
	"digital_skills": {l("Cannot use a smartphone or computer and is missing out on services and family.",
		"Needs help to get online to manage benefits."),
		l("Video calling my grandchildren.", "Doing things online without help."),
		[]goalWords{g("Learn to use my tablet", "Go to the digital drop-in", "Make a video call to my daughter", "Order a repeat prescription online"),
			g("Get online safely", "Set up an email address")}},
	"bereavement": {l("Recently bereaved and finding it very hard to cope alone.", "Lost their husband last year and has withdrawn."),
		l("Getting through each day, and talking about him.", "Finding a way to carry on."),
		[]goalWords{g("Talk to others who understand", "Go to the bereavement cafe", "Meet the befriender for a cup of tea"),
			g("Get back into a routine", "Plan one thing to look forward to each week")}},
	"long_term_conditions": {l("Living with diabetes and COPD and struggling to manage; frequent GP visits.",
		"Chronic pain is limiting what they do and they feel low about it."),
		l("Managing my health myself.", "Doing the things I enjoy despite the pain."),
		[]goalWords{g("Manage my condition better", "Go to the Breathe Easy group", "Try the diabetes education course"),
			g("Stay active with the pain", "Try the gentle movement class", "Pace my jobs through the day")}},
	"learning": {l("Wants to learn new skills and improve their English.", "Left school early and would like to learn to read better."),
		l("Learning something new.", "Reading to my children."),
		[]goalWords{g("Improve my English", "Go to the English conversation club", "Enrol on the ESOL class"),
			g("Learn something new", "Visit the library and join a course")}},
	"volunteering": {l("Retired recently and would like to give something back.", "Would like to volunteer to build confidence."),
		l("Feeling useful and meeting people.", "Giving something back."),
		[]goalWords{g("Find a volunteering role", "Go to the volunteer centre", "Try a taster session", "Start volunteering one day a week")}},
	"befriending": {l("Housebound and very lonely; would welcome a regular visitor.", "Has no family nearby and nobody to call."),
		l("Someone to chat to each week.", "Company."),
		[]goalWords{g("Have regular company", "Meet the befriending volunteer", "Weekly phone call with my befriender")}},
	"substance_use": {l("Drinking more since being on their own and worried about it.", "Wants support to cut down on alcohol."),
		l("Cutting down on the drink.", "Having things to do in the evenings."),
		[]goalWords{g("Cut down on drinking", "Talk to the recovery service", "Go to a SMART Recovery meeting", "Keep a drink diary"),
			g("Fill my evenings", "Try the men's shed")}},
	"domestic_abuse": {l("Has left an abusive relationship and needs support to rebuild.", "Disclosed past domestic abuse; feels isolated."),
		l("Feeling safe and confident.", "Rebuilding my life."),
		[]goalWords{g("Feel safe", "Talk to the domestic abuse service", "Make a safety plan with their worker"),
			g("Rebuild my confidence", "Go to the Freedom Programme")}},
	"benefits_advice": {l("Not sure what benefits they are entitled to after a change in circumstances.", "Needs help with a PIP application."),
		l("Getting the money I am entitled to.", "Less stress about forms."),
		[]goalWords{g("Get the right benefits", "Go to the benefits clinic", "Fill in the PIP form with the adviser", "Ask for a mandatory reconsideration")}},
	"transport": {l("Cannot get to appointments or groups since giving up driving.", "Finds buses difficult with their mobility."),
		l("Getting out and about again.", "Not missing appointments."),
		[]goalWords{g("Get about more easily", "Register with Dial-a-Ride", "Apply for a bus pass", "Book the community transport to the lunch club")}},
}

// genericNeed is for a need the catalogue has no words for (one a place added).
var genericNeed = needWords{l("Would benefit from support to connect with their community."),
	l("Feeling better in myself."), []goalWords{g("Find something I enjoy", "Look through activities with my link worker", "Try one new activity")}}

var strengths = l("Good with people; used to run a shop.", "Practical and good with their hands.", "Determined and resourceful.",
	"A good listener; has brought up four children.", "Loves to bake and cook for others.", "Knows the area well; lived here all their life.",
	"Creative; used to sew and knit.", "Reliable and organised.", "A good sense of humour.", "Speaks three languages.")

var interests = l("Gardening, football, the grandchildren", "Music, baking, crosswords", "Walking, birdwatching, local history",
	"Knitting, soaps, the dog", "Fishing, woodwork, rugby league", "Cooking, films, reading", "Dancing, singing, church",
	"Cycling, cars, quizzes", "Painting, photography", "Cricket, cards, the allotment")

var barriers = l("Anxious about new places and people.", "Mobility: cannot walk far.", "Money is tight.", "No transport.",
	"Caring responsibilities.", "Low confidence.", "Hearing loss.", "Does not like groups.", "Works shifts.", "Pain.")

var contactNotes = l("Talked through how the week went and agreed the next step.", "Checked in by phone; doing well.",
	"Went with them to the group for the first time.", "Reviewed the plan together.", "Helped fill in a form.",
	"Left a message; will try again.", "Long chat about what has been getting in the way.", "Celebrated a step done.",
	"Talked about worries about money; booked advice.", "Met at the library to look at activities.",
	"Followed up after the group; enjoyed it.", "Sent details of the walking group by text.")

var withWhom = l("Her daughter", "His son", "Their partner", "Support worker", "A neighbour", "Interpreter")

var progressNotes = l("Making good progress; more confident going out.", "Setback this week after a hospital appointment; plan adjusted.",
	"Has been going to the group every week.", "Says their mood is better than when we first met.",
	"Finding it hard to keep going; agreed smaller steps.", "Family have noticed a difference.")

var closingNotes = map[string][]string{
	"goals_met":   l("Goals met: going to groups independently and feeling much better.", "All goals done; happy to carry on alone."),
	"partly_met":  l("Some goals met; agreed to end support and come back if needed.", "Made progress; still working on money worries with the advice service."),
	"not_engaged": l("Could not reach after several tries by phone and letter.", "Did not attend appointments."),
	"moved":       l("Moved out of the area; given details of the scheme there."),
	"declined":    l("Decided they did not want more support at the moment."),
	"deceased":    l("Sadly died; condolences sent to the family."),
	"other":       l("Now supported by the community mental health team.", "Went into residential care."),
}

var onwardNeeds = l("Would like to come along and meet people; a bit nervous the first time.",
	"Interested in joining; would like someone to say hello when they arrive.",
	"Would like to try a session; has limited mobility.", "Looking for something to do in the week; keen to start soon.")

var onwardDeclines = l("The group is full at the moment; please try again in the spring.",
	"The person would need more support than our volunteers can give.", "We do not run on the days the person is free.")

var risks = l("Lives alone; has had falls.", "Has spoken of feeling hopeless; the GP is aware.", "Drinks heavily at times.",
	"Carer for a partner who needs someone with them.", "Cannot read English letters.")
