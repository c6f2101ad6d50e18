package linkwork

// The built-in measures, with the definitions that dashboards and the board pack print
// beside them. Each says what is counted, from which records, how the months chosen apply
// and what a neighbourhood, scheme or organisation dashboard counts, so that a board
// member can read a figure without asking.
func init() {
	BuiltInMeasures = []MeasureDefinition{
		{Code: MeasureReferrals, Name: "Referrals received", AboutPeople: true, Definition: "" +
			"The referrals the place's connector schemes received, counted in the month each one arrived (UK time). " +
			"Every referral counts, whatever happened to it afterwards: accepted, declined, withdrawn or still waiting. " +
			"They are shown by month, by who referred (the kind of referrer recorded on the referral, such as a GP practice, " +
			"housing, the police or the person themselves), by the needs recorded on the referral, and by the scheme it was sent to. " +
			"A referral with more than one need is counted once under each of its needs, so the needs add up to more than the " +
			"referrals. A scheme's figures are the referrals sent to it; an organisation's, those sent to the schemes it runs; a " +
			"neighbourhood's, the referrals of people whose postcode is in that neighbourhood (LSOA). A referral whose postcode " +
			"linkwork does not know counts for the place and its scheme but for no neighbourhood."},

		{Code: MeasureFirstContact, Name: "Time from referral to first contact", AboutPeople: true, Definition: "" +
			"For each referral that led to a case record, the number of whole days from the day the referral arrived to the day " +
			"of the first contact recorded with the person (face to face, by phone or video, a home visit, a group session or a " +
			"message). A referral is counted in the month of its first contact, so the months chosen show the referrals first " +
			"contacted in them; referrals with no contact yet are not counted until they have one. Contact on the day the " +
			"referral arrived is 0 days, and a wait of more than 365 days counts as 365. The median is the middle wait: half " +
			"of these referrals were contacted sooner and half later (with an even number, the middle two are averaged). " +
			"Within 14 days means 14 days or fewer. Scheme, organisation and neighbourhood figures are counted as for " +
			"referrals received."},

		{Code: MeasurePeopleSupported, Name: "People supported", AboutPeople: true, Definition: "" +
			"The people with an open case record at any time in the months chosen: those whose record was already open on the " +
			"first day (opened before, and not closed before, that day) plus those whose record was opened during the months. " +
			"A case record is opened when a scheme accepts a referral or takes someone on directly, and is closed when their " +
			"support ends. New people are the case records opened in the months chosen; support ended counts the records " +
			"closed in them. Someone supported by two organisations has a case record with each and counts once for each. " +
			"Records erased at the person's request still count, because an erased record keeps the anonymous facts these " +
			"measures need. An organisation's figures are the case records it holds; a scheme's, the records opened from " +
			"referrals to it (someone taken on directly, without a referral, belongs to no scheme and counts for the " +
			"organisation and the place only); a neighbourhood's, the people whose postcode is in it."},

		{Code: MeasureContacts, Name: "Contacts and time with people", AboutPeople: true, Definition: "" +
			"The contacts link workers recorded with the people they support, counted in the month they took place, and the " +
			"minutes recorded for each (every contact records from 1 to 480 minutes). Shown are the number of contacts, the " +
			"minutes in all and the mean (average) minutes a contact, overall, by how the contact took place (face to face, " +
			"phone, video, home visit, group or message) and by month. Contacts count for the scheme, organisation and " +
			"neighbourhood of the person's case record."},

		{Code: MeasureCaseload, Name: "Caseload per link worker", AboutPeople: true, Definition: "" +
			"For each link worker, the people they supported in the months chosen (counted as for people supported), and " +
			"that figure as a rate a year, to compare with the guide that a full-time link worker supports 200 to 250 people " +
			"a year. The rate a year is the people whose support was already open at the start of the months chosen, plus the " +
			"people whose support began in them scaled up to a whole year (multiplied by 365 and divided by the days in the " +
			"months chosen); over a whole year it is simply the people supported. A rate above 250 is flagged as above the " +
			"guide; below 200 is shown as under it, which may be right for a part-time worker or a new one. A person counts " +
			"under the link worker responsible for them now, for the whole of their support. The median is the rate of the " +
			"middle link worker (with an even number, the lower of the middle two). People with no link worker named are " +
			"shown separately and left out of the median."},

		{Code: MeasureWaiting, Name: "Waiting list and wait", AboutPeople: true, Definition: "" +
			"Waiting now is the number of referrals that have been accepted and are waiting to be allocated to a link worker " +
			"at the moment the dashboard is made: it does not change with the months chosen. The wait is the number of whole " +
			"days from the day a referral was accepted to the day it was first allocated to a link worker, for the referrals " +
			"allocated in the months chosen (a wait of more than 365 days counts as 365). Shown are how many were allocated, " +
			"their median wait (the middle one) and their mean wait (the average), overall and by the month they were " +
			"allocated. Scheme, organisation and neighbourhood figures are counted as for referrals received."},

		{Code: MeasureOnward, Name: "Onward referrals to community groups", AboutPeople: true, Definition: "" +
			"The onward referrals link workers sent to community groups and services, counted in the month they were sent, " +
			"with where each stands now: waiting for the group's answer, accepted, declined, attended, did not attend, or " +
			"withdrawn. Accepted counts every onward referral the group accepted, whether or not it is yet known that the " +
			"person went: accepted, attended and did not attend together. Attended counts those the group says the person " +
			"went to. The share accepted is of those sent; the share attended is of those accepted. Because a referral's status " +
			"can still change, the figures for recent months may rise as groups answer. Onward referrals count for the " +
			"scheme, organisation and neighbourhood of the person's case record."},

		{Code: MeasureWellbeing, Name: "Change in wellbeing", AboutPeople: true, Definition: "" +
			"For each person who has completed the same questionnaire at least twice, their baseline is compared with their " +
			"latest follow-up. The baseline is their first response recorded at the baseline timepoint or, if none was, their " +
			"first response; the follow-up is their latest other response. Each person counts once per questionnaire, in the " +
			"month of that latest response, so the months chosen show the people whose latest follow-up fell in them. Draft " +
			"responses are left out. The questionnaires are SWEMWBS (the Short Warwick-Edinburgh Mental Wellbeing Scale, its " +
			"metric score from 7 to 35; higher is better), UCLA-3 (loneliness, 3 to 9; lower is better) and ONS4 (the ONS " +
			"personal wellbeing questions, each on a 0 to 10 scale and compared one by one: life satisfaction, feeling that " +
			"what you do is worthwhile and happiness are better higher, anxiety is better lower). The mean change is the " +
			"average of the latest score less the baseline score. A person improved by a meaningful amount when their score " +
			"moved in the better direction by at least 3 points of SWEMWBS, 1 point of UCLA-3 or 1 point on an ONS4 question " +
			"(exactly that much counts); worse by a meaningful amount likewise in the worse direction. The shares are of the " +
			"people compared."},

		{Code: MeasureReach, Name: "Reach into communities", AboutPeople: true, Definition: "" +
			"The people supported in the months chosen (counted as for people supported), by the deprivation of the " +
			"neighbourhood they live in, by ethnic group, by age and by sex. Deprivation is the English Index of Multiple " +
			"Deprivation decile of the neighbourhood (LSOA) of the person's postcode: decile 1 is the most deprived tenth of " +
			"neighbourhoods in England and decile 10 the least. Beside the share of people supported in each decile (of those " +
			"whose neighbourhood is known) is the share of the place's own neighbourhoods in that decile: neighbourhoods hold " +
			"roughly equal numbers of people, so this stands for the share of the place's population, and a higher share of " +
			"people supported than of the place means the service reaches further into those neighbourhoods. Ethnic group " +
			"uses the NHS ethnic categories as the person gave them; age is their age when their support began; sex is as " +
			"recorded. 'Not recorded' counts people who were not asked."},

		{Code: MeasureHealthUse, Name: "GP consultations and hospital admissions before and after", AboutPeople: true, Definition: "" +
			"For people with an NHS number whose health service use data the place has loaded (GP appointments and " +
			"non-elective, that is unplanned, hospital admissions per person per month), the consultations and admissions in " +
			"the six calendar months before the month of their first contact with a link worker and in the six calendar " +
			"months after it. The month of first contact itself is in neither, since it holds both. A person is counted in " +
			"the month of their first contact, and only once the data loaded covers all six months after it, so the latest " +
			"months chosen may have no one yet. Shown are the people counted and the mean (average) consultations and " +
			"admissions a person before and after. A change after support is not proof that support caused it: people are " +
			"often referred at a time of crisis, when their use of services is high."},

		{Code: MeasureVolunteers, Name: "Volunteers and volunteer hours", Definition: "" +
			"The volunteers and the hours they gave, as community groups report them month by month in their group portal. " +
			"A volunteer who helps in three months is counted in each of them, so a figure for several months is " +
			"volunteer-months, not different people; a single month's figure is the volunteers that month. Groups that did " +
			"not report a month are not included, so shown beside the figures is how many monthly reports they rest on. An " +
			"organisation's figures are its own reports."},

		{Code: MeasureNewActivities, Name: "New community activities and groups", Definition: "" +
			"New activities are the activities community groups recorded as started in the months chosen, counted in the " +
			"month they began. New community groups are the voluntary, community, social enterprise and faith organisations " +
			"added to the place's directory in the months chosen, counted in the month they were added."},

		{Code: MeasureBudgetSpend, Name: "Devolved budget spend", AboutPeople: true, Definition: "" +
			"The money paid out for spends from the devolved budget pots organisations hold for their link workers and " +
			"community groups, in the months chosen, counted on the day each payment was recorded, less any money refunded " +
			"or payments reversed (counted on the day they were recorded). It is shown by the need the spend met, by the " +
			"neighbourhood (LSOA) the money was spent in, and by month, with the number of payments out (refunds and " +
			"reversals add no payment). Money put into pots, or promised but not yet paid, is not spend. A scheme's figures " +
			"are those of the pots that belong to it, an organisation's those of the pots it holds, and a neighbourhood's " +
			"the spends recorded as spent there."},
	}
}
