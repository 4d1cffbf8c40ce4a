package rules

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The Pandora API's reserved names live once, in clients/conformance/rules.json; every one of them must start with
// ReservedPrefix, or describe would show it as a user's method.
func TestReservedPrefixCoversThePandoraNamesOfTheConformanceRules(t *testing.T) {
	raw, err := os.ReadFile("../../../conformance/rules.json")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Pandora map[string]string `json:"pandora"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for key, name := range r.Pandora {
		if strings.HasSuffix(key, "Method") {
			checked++
			if !strings.HasPrefix(name, ReservedPrefix) {
				t.Errorf("rules.json pandora.%s = %q does not start with %q", key, name, ReservedPrefix)
			}
		}
	}
	if checked < 4 {
		t.Fatalf("expected the pandora *Method names in rules.json, found %d", checked)
	}
}
