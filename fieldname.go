package linkwork

import "strings"

// fieldNames gives the plain-English name of the input fields whose identifier does not
// read well on its own, for messages such as "Enter the first line of the address."
var fieldNames = map[string]string{
	"place_name":         "name of the place",
	"organisation_name":  "name of your organisation",
	"address_1":          "first line of the address",
	"address_2":          "second line of the address",
	"job_title":          "job title",
	"how_to_refer":       "how to refer",
	"funding_source":     "funding source",
	"electronic_system":  "electronic system",
	"on":                 "date of the contact",
	"follow_up_on":       "follow-up date",
	"due_on":             "due date",
	"done_on":            "date it was done",
	"held_on":            "date of the conversation",
	"opened_on":          "date the case opened",
	"completed_on":       "date it was completed",
	"gender_same_as_sex": "whether their gender is the same as their sex registered at birth",
	"first_language":     "first language",
	"preferred_name":     "preferred name",
}

// fieldName returns a field's plain-English name: "first line of the address" for
// "address_1", "description" for "description", "how to refer" for "scheme.how_to_refer".
func fieldName(field string) string {
	if i := strings.LastIndex(field, "."); i >= 0 {
		field = field[i+1:]
	}
	if n, ok := fieldNames[field]; ok {
		return n
	}
	return strings.ReplaceAll(field, "_", " ")
}

// enterField is the message for a required field left empty: "Enter a name.", "Enter the
// first line of the address."
func enterField(field string) string {
	n := fieldName(field)
	if _, ok := fieldNames[field[strings.LastIndex(field, ".")+1:]]; ok {
		return "Enter the " + n + "."
	}
	if strings.ContainsAny(n[:1], "aeiou") {
		return "Enter an " + n + "."
	}
	return "Enter a " + n + "."
}
