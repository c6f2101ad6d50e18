package linkwork

// The facts the measures are made of. Each is counted by month (the calendar month in
// Europe/London of the date named), for every scope kind listed with it:
//
//	P place (ScopeKey ""), S scheme (scheme ID), O organisation (ID), N neighbourhood (LSOA)
//
// A record whose scope key is unknown (no scheme, no LSOA) is counted for the place and
// for the scopes it has, and not for the others. Keys are exactly as written; "<x>" is
// replaced by the value. Days are whole days between two dates in Europe/London, capped at
// FactDaysCap (a longer wait counts as FactDaysCap). Every fact row has N ≥ 1 or a
// non-zero Total; rows with both zero are not kept.
const (
	// FactReferrals: referrals received in the month (ReceivedAt). Keys "all",
	// "source:<ReferrerType>", "need:<term code>" (a referral with two needs counts under
	// each). N = referrals. Scopes P S O N (O: the scheme's organisation; N: the referral's
	// LSOA).
	FactReferrals = "referrals"
	// FactFirstContact: referrals whose first contact happened in the month
	// (FirstContactOn). Key "<days>" from ReceivedAt's date to FirstContactOn. N =
	// referrals. Scopes P S O N as FactReferrals.
	FactFirstContact = "first_contact"
	// FactSupportStarts and FactSupportEnds: case records opened (OpenedOn) and closed
	// (ClosedOn) in the month. Keys "all", "imd:<0–10>", "ethnicity:<code or unknown>",
	// "age:<AgeBand or unknown>", "sex:<code or unknown>", "worker:<user ID or 0>". N = case
	// records. Scopes P S O N (S: the person's SchemeID; O: OrganisationID; N: LSOA). People
	// supported over a period are those open at its start (starts before it less ends
	// before it) plus those opened in it.
	FactSupportStarts = "support_starts"
	FactSupportEnds   = "support_ends"
	// FactContacts: contacts on a date in the month. Keys "all", "mode:<ContactMode>". N =
	// contacts, Total = minutes. Scopes P S O N (of the person).
	FactContacts = "contacts"
	// FactWaitingAllocated: referrals first allocated in the month (AllocatedAt) that had
	// waited from acceptance (WaitFrom). Key "<days>" from WaitFrom's date to AllocatedAt's.
	// N = referrals. Scopes P S O N as FactReferrals.
	FactWaitingAllocated = "waiting_allocated"
	// FactOnward: onward referrals sent in the month (SentOn). Keys "all",
	// "status:<OnwardStatus now>". N = onward referrals. Scopes P S O N (of the person).
	FactOnward = "onward"
	// FactWellbeing: people whose latest follow-up response of a questionnaire was completed
	// in the month, compared with their baseline as ScoreChanges compares them (baseline
	// the earliest complete response at the baseline timepoint, else the earliest; latest
	// the latest other). Keys "<questionnaire>:<part>:<what>" where part is "total" (SWEMWBS,
	// UCLA-3) or "item1".."item4" (ONS4's life satisfaction, worthwhile, happiness, anxiety)
	// and what is "pairs" (N = people, Total = Σ(latest − baseline) × 100, rounded to whole
	// hundredths), "improved" or "worsened" (N = people whose change is at least
	// MeaningfulChange in the better or worse direction). Scopes P S O N (of the person).
	FactWellbeing = "wellbeing"
	// FactHealthUse: people whose first contact was in the month and whose six months after
	// it the place's activity data covers (the month of first contact + 6 ≤ the latest
	// month loaded for the place). Before is the six months before the month of first
	// contact; after the six months after it (the month itself in neither). Keys "people"
	// (N = people), "gp_before", "gp_after", "admissions_before", "admissions_after" (Total =
	// Σ counts, N = people). Only people with an NHS number and at least one activity row
	// count. Scopes P S O N (of the person).
	FactHealthUse = "health_use"
	// FactVolunteers: groups' volunteer months. Keys "volunteers" (Total = Σ volunteers)
	// and "hours" (Total = Σ hours); N = groups reporting. Scopes P O.
	FactVolunteers = "volunteers"
	// FactNewActivities: activities groups started in the month (StartedOn); key "all".
	// FactNewGroups: community organisations (VCSE or faith sector) added to the place in
	// the month; key "all". N = how many. Scopes P O.
	FactNewActivities = "new_activities"
	FactNewGroups     = "new_groups"
	// FactSpend: ledger entries paying out for a spend (or refunding or reversing one) in
	// the month. Keys "all", "need:<code>", "lsoa:<code or unknown>". N = entries that pay
	// out, that is whose net is positive (refunds and reversals of payments count 0; the
	// rare reversal of a refund pays out again and counts 1), Total = net pence. Scopes P S
	// O N (S: the pot's scheme; O: the pot's organisation; N: the spend's LSOA).
	FactSpend = "spend"
	// FactLocal: a local measure's values. Key "local-<id>"; Total = Σ values, N =
	// organisations reporting. Scopes P O.
	FactLocal = "local"
)

// FactDaysCap is the most days a wait or time to first contact counts as.
const FactDaysCap = 365

// MeaningfulChange is the change in a questionnaire's score that counts as improving (or
// worsening) by a meaningful amount, by questionnaire code: SWEMWBS 3 points of its metric
// score, UCLA-3 1 point (lower is better), each ONS4 item 1 point on its 0–10 scale
// (anxiety: lower is better).
var MeaningfulChange = map[string]float64{"swemwbs": 3, "ucla3": 1, "ons4": 1}

// AgeBands are the age bands people are counted in, youngest first.
var AgeBands = []string{"0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85+"}
