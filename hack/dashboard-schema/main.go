// Command dashboard-schema checks Grafana dashboard JSON files against Grafana's own dashboard
// schema, as generated into the Grafana Foundation SDK (github.com/grafana/grafana-foundation-sdk):
// strict decoding (required fields present, every field of the right type, no unknown field),
// each panel's options and custom field config against its panel plugin's schema, each target
// against the Prometheus query schema, then the schema's constraints (Validate). It also refuses
// what strict decoding would let through untyped: a panel type or target datasource type the
// schema does not know.
//
//	go run . FILE...    (from hack/dashboard-schema; test/artifacts/run.ts builds it for test/artifacts/dashboard-schema.test.ts)
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
)

// failed reports whether err holds an error: the generated code returns its error list as an
// `error` even when the list is empty.
func failed(err error) bool {
	if errs, ok := err.(cog.BuildErrors); ok {
		return len(errs) > 0
	}
	return err != nil
}

func check(path string) []string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}
	}
	var d dashboard.Dashboard
	if err := d.UnmarshalJSONStrict(raw); failed(err) {
		return []string{"schema: " + err.Error()}
	}
	var problems []string
	if err := d.Validate(); failed(err) {
		problems = append(problems, "constraints: "+err.Error())
	}
	// The generated decoders check nested objects but drop what they decoded whenever the nested
	// decoder returns its (empty) error list, which counts as an error there: panels and targets
	// come back missing. Decode those again here, each with its own strict decoder.
	var top struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return append(problems, err.Error())
	}
	for i, rawPanel := range top.Panels {
		problems = append(problems, checkPanel(fmt.Sprintf("panels[%d]", i), rawPanel)...)
	}
	return problems
}

// checkPanel decodes one panel (or row, with the panels it holds) strictly.
func checkPanel(where string, raw json.RawMessage) []string {
	var shape struct {
		Type    string            `json:"type"`
		Panels  []json.RawMessage `json:"panels"`
		Targets []json.RawMessage `json:"targets"`
	}
	if err := json.Unmarshal(raw, &shape); err != nil {
		return []string{where + ": " + err.Error()}
	}
	if shape.Type == "row" {
		var row dashboard.RowPanel
		if err := row.UnmarshalJSONStrict(raw); failed(err) {
			return []string{where + ": " + err.Error()}
		}
		var problems []string
		if err := row.Validate(); failed(err) {
			problems = append(problems, where+": "+err.Error())
		}
		for j, p := range shape.Panels {
			problems = append(problems, checkPanel(fmt.Sprintf("%s.panels[%d]", where, j), p)...)
		}
		return problems
	}
	var problems []string
	var panel dashboard.Panel
	if err := panel.UnmarshalJSONStrict(raw); failed(err) {
		problems = append(problems, where+": "+err.Error())
	} else if err := panel.Validate(); failed(err) {
		problems = append(problems, where+": "+err.Error())
	}
	if _, known := cog.ConfigForPanelcfgVariant(shape.Type); !known {
		problems = append(problems, fmt.Sprintf("%s: panel type %q has no schema", where, shape.Type))
	}
	if len(shape.Targets) == 0 {
		problems = append(problems, where+": no targets")
	}
	for i, t := range shape.Targets {
		at := fmt.Sprintf("%s.targets[%d]", where, i)
		var ref struct {
			Datasource struct {
				Type string `json:"type"`
			} `json:"datasource"`
		}
		_ = json.Unmarshal(t, &ref)
		if ref.Datasource.Type != "prometheus" {
			problems = append(problems, fmt.Sprintf("%s: datasource type %q, want prometheus", at, ref.Datasource.Type))
			continue
		}
		var query prometheus.Dataquery
		if err := query.UnmarshalJSONStrict(t); failed(err) {
			problems = append(problems, at+": "+err.Error())
		} else if query.Expr == "" {
			problems = append(problems, at+": empty expr")
		}
	}
	return problems
}

func main() {
	plugins.RegisterDefaultPlugins()
	anyFailed := false
	for _, path := range os.Args[1:] {
		problems := check(path)
		if len(problems) == 0 {
			fmt.Printf("%s: valid\n", path)
			continue
		}
		anyFailed = true
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "%s: %s\n", path, p)
		}
	}
	if anyFailed || len(os.Args) < 2 {
		os.Exit(1)
	}
}
