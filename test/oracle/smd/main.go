// Command smd is the differential oracle for Wheelhouse's field manager: it runs
// apply/update sequences through structured-merge-diff's merge.Updater (the library
// kube-apiserver uses) and prints, after every step, the object, each manager's field
// set in FieldsV1 form and the conflicts the step met.
//
// Input on stdin (JSON):
//
//	{"schema": "<SMD schema YAML>", "typeName": "...",
//	 "cases": [{"name": "...", "steps": [{"op": "apply"|"update", "manager": "...",
//	            "object": {...}, "force": false}]}]}
//
// Output on stdout (JSON): {"cases": [{"name": "...", "steps": [StepResult...]}]}.
//
// Every case starts from its initial object ({} unless given) and no managers, at one API version
// ("v1"), with a converter that never converts. An apply step is first run without
// force so its conflicts are reported; a forced step then runs again with force.
// Built in GOPATH mode against Debian's golang-k8s-sigs-structured-merge-diff-dev.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"sigs.k8s.io/structured-merge-diff/v4/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v4/merge"
	"sigs.k8s.io/structured-merge-diff/v4/typed"
	"sigs.k8s.io/structured-merge-diff/v4/value"
)

const apiVersion = fieldpath.APIVersion("v1")

type input struct {
	Schema   string      `json:"schema"`
	TypeName string      `json:"typeName"`
	Cases    []caseInput `json:"cases"`
}

type caseInput struct {
	Name string `json:"name"`
	// Initial is the live object before the first step, owned by no manager (an object
	// written before field management, or whose managedFields were cleared); {} if absent.
	Initial json.RawMessage `json:"initial,omitempty"`
	Steps   []stepInput     `json:"steps"`
}

type stepInput struct {
	Op      string          `json:"op"`
	Manager string          `json:"manager"`
	Object  json.RawMessage `json:"object"`
	Force   bool            `json:"force"`
}

type managerOut struct {
	Applied  bool            `json:"applied"`
	FieldsV1 json.RawMessage `json:"fieldsV1"`
}

type conflictOut struct {
	Manager string `json:"manager"`
	Path    string `json:"path"`
}

type stepOut struct {
	Object    interface{}           `json:"object"`
	Unchanged bool                  `json:"unchanged"`
	Managers  map[string]managerOut `json:"managers"`
	Conflicts []conflictOut         `json:"conflicts"`
	// The conflicts exactly as merge.Conflicts holds them. The library builds them from
	// Set.Iterate, whose paths share one buffer (its documentation says to copy them) and
	// are not copied, so with several conflicts under one list element the stored paths can
	// be overwritten by later siblings. Conflicts above is recomputed with copied paths.
	ConflictsAsReturned []conflictOut `json:"conflictsAsReturned"`
	Error               string        `json:"error,omitempty"`
}

type caseOut struct {
	Name  string    `json:"name"`
	Steps []stepOut `json:"steps"`
	Error string    `json:"error,omitempty"`
}

// identity is a Converter for a single API version: nothing to convert, never a missing version.
type identity struct{}

func (identity) Convert(v *typed.TypedValue, _ fieldpath.APIVersion) (*typed.TypedValue, error) {
	return v, nil
}
func (identity) IsMissingVersionError(error) bool { return false }

// normalizeNumbers turns json.Number into int64 when integral (as Kubernetes'
// unstructured conversion does) and float64 otherwise.
func normalizeNumbers(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, e := range t {
			t[k] = normalizeNumbers(e)
		}
		return t
	case []interface{}:
		for i, e := range t {
			t[i] = normalizeNumbers(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

func decode(raw []byte) (interface{}, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return normalizeNumbers(v), nil
}

func managersOut(m fieldpath.ManagedFields) (map[string]managerOut, error) {
	out := map[string]managerOut{}
	for name, vs := range m {
		b, err := vs.Set().ToJSON()
		if err != nil {
			return nil, err
		}
		out[name] = managerOut{Applied: vs.Applied(), FieldsV1: json.RawMessage(b)}
	}
	return out, nil
}

func objectOut(tv *typed.TypedValue) (interface{}, error) {
	b, err := value.ToJSON(tv.AsValue())
	if err != nil {
		return nil, err
	}
	return decode(b)
}

func sortConflicts(out []conflictOut) {
	sort.Slice(out, func(i, j int) bool {
		if out[i].Manager != out[j].Manager {
			return out[i].Manager < out[j].Manager
		}
		return out[i].Path < out[j].Path
	})
}

func conflictsOut(err error) ([]conflictOut, bool) {
	cs, ok := err.(merge.Conflicts)
	if !ok {
		return nil, false
	}
	out := make([]conflictOut, 0, len(cs))
	for _, c := range cs {
		out = append(out, conflictOut{Manager: c.Manager, Path: c.Path.String()})
	}
	sortConflicts(out)
	return out, true
}

// recomputeConflicts states what the Updater found conflicting, with public API only: the
// other managers' fields that the apply's result (the forced result: pruning does not
// depend on force) modifies or adds relative to the live object.
func recomputeConflicts(live, result *typed.TypedValue, managers fieldpath.ManagedFields, applier string) ([]conflictOut, error) {
	out := []conflictOut{}
	if result == nil {
		return out, nil
	}
	cmp, err := live.Compare(result)
	if err != nil {
		return nil, err
	}
	changed := cmp.Modified.Union(cmp.Added)
	for name, vs := range managers {
		if name == applier {
			continue
		}
		vs.Set().Intersection(changed).Iterate(func(p fieldpath.Path) {
			out = append(out, conflictOut{Manager: name, Path: p.Copy().String()})
		})
	}
	sortConflicts(out)
	return out, nil
}

func runCase(parser *typed.Parser, typeName string, c caseInput) caseOut {
	out := caseOut{Name: c.Name, Steps: []stepOut{}}
	pt := parser.Type(typeName)
	var initial interface{} = map[string]interface{}{}
	if len(c.Initial) > 0 {
		v, err := decode(c.Initial)
		if err != nil {
			out.Error = fmt.Sprintf("initial object: %v", err)
			return out
		}
		initial = v
	}
	live, err := pt.FromUnstructured(initial)
	if err != nil {
		out.Error = fmt.Sprintf("initial object: %v", err)
		return out
	}
	managers := fieldpath.ManagedFields{}
	updater := &merge.Updater{Converter: identity{}}
	for i, s := range c.Steps {
		step := stepOut{}
		obj, err := decode(s.Object)
		var tv *typed.TypedValue
		if err == nil {
			tv, err = pt.FromUnstructured(obj)
		}
		if err != nil {
			step.Error = fmt.Sprintf("step %d: object: %v", i, err)
		} else {
			switch s.Op {
			case "update":
				next, m, err := updater.Update(live, tv, apiVersion, managers.Copy(), s.Manager)
				if err != nil {
					step.Error = err.Error()
				} else {
					live, managers = next, m
				}
			case "apply":
				next, m, err := updater.Apply(live, tv, apiVersion, managers.Copy(), s.Manager, false)
				if err != nil {
					cs, ok := conflictsOut(err)
					if !ok {
						step.Error = err.Error()
						break
					}
					step.ConflictsAsReturned = cs
					forced, fm, ferr := updater.Apply(live, tv, apiVersion, managers.Copy(), s.Manager, true)
					if ferr != nil {
						step.Error = ferr.Error()
						break
					}
					if step.Conflicts, err = recomputeConflicts(live, forced, managers, s.Manager); err != nil {
						step.Error = err.Error()
						break
					}
					if !s.Force {
						break
					}
					next, m = forced, fm
				}
				managers = m
				if next == nil {
					step.Unchanged = true
				} else {
					live = next
				}
			default:
				step.Error = fmt.Sprintf("step %d: unknown op %q", i, s.Op)
			}
		}
		if step.Object, err = objectOut(live); err != nil {
			step.Error = strings.TrimSpace(step.Error + " object: " + err.Error())
		}
		if step.Managers, err = managersOut(managers); err != nil {
			step.Error = strings.TrimSpace(step.Error + " managers: " + err.Error())
		}
		out.Steps = append(out.Steps, step)
	}
	return out
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintf(os.Stderr, "smd oracle: reading input: %v\n", err)
		os.Exit(2)
	}
	parser, err := typed.NewParser(typed.YAMLObject(in.Schema))
	if err != nil {
		fmt.Fprintf(os.Stderr, "smd oracle: schema: %v\n", err)
		os.Exit(2)
	}
	if !parser.Type(in.TypeName).IsValid() {
		fmt.Fprintf(os.Stderr, "smd oracle: schema has no type %q\n", in.TypeName)
		os.Exit(2)
	}
	results := make([]caseOut, 0, len(in.Cases))
	for _, c := range in.Cases {
		results = append(results, runCase(parser, in.TypeName, c))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]interface{}{"cases": results}); err != nil {
		fmt.Fprintf(os.Stderr, "smd oracle: writing output: %v\n", err)
		os.Exit(2)
	}
}
