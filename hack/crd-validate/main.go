// Command crd-validate runs the API server's own code for custom resources over our CRDs, offline:
// first the checks a CRD meets when it is created (structural schema, CEL compilation and cost
// budget), then, for sample objects, what a create, update or status update goes through before
// it is stored: pruning of unknown fields, structural defaulting, the OpenAPI schema, embedded
// metadata, list types and the CEL rules (oldSelf and ratcheting on updates). The code is
// k8s.io/apiextensions-apiserver at the version of the control plane the e2e tests run
// (pkg/apiserver/customresource_handler.go, pkg/registry/customresource strategies); admission
// (our webhook) is not part of it.
//
//	crd-validate < request.json > result.json
//
// The request names the CRD files and the cases:
//
//	{"crds": ["crds/mydeployments.apps.my.dev.yaml", …],
//	 "cases": [{"name": …, "resource": "mydeployments", "operation": "create" | "update" | "status",
//	            "object": {…}, "oldObject": {…}}]}
//
// The result holds each CRD's own errors by plural, and each case's unknown fields, field errors
// and the object as it would be stored:
//
//	{"crds": {"mydeployments": [errors]},
//	 "cases": [{"name": …, "unknownFields": [paths], "errors": [{"type", "field", "detail", "message"}], "object": {…}}]}
//
// oldObject is pruned and defaulted, as it was when stored; a status write keeps its spec and
// metadata, as the API server does. test/artifacts/run.ts builds this for
// test/artifacts/crd-validation.test.ts.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apiextensions-apiserver/pkg/registry/customresource"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"sigs.k8s.io/yaml"
)

type request struct {
	CRDs  []string     `json:"crds"`
	Cases []sampleCase `json:"cases"`
}

type sampleCase struct {
	Name      string          `json:"name"`
	Resource  string          `json:"resource"`
	Operation string          `json:"operation"`
	Object    json.RawMessage `json:"object"`
	OldObject json.RawMessage `json:"oldObject,omitempty"`
}

type fieldError struct {
	Type    string `json:"type"`
	Field   string `json:"field"`
	Detail  string `json:"detail"`
	Message string `json:"message"`
}

type caseResult struct {
	Name          string                 `json:"name"`
	UnknownFields []string               `json:"unknownFields"`
	Errors        []fieldError           `json:"errors"`
	Object        map[string]interface{} `json:"object,omitempty"`
}

type result struct {
	CRDs  map[string][]fieldError `json:"crds"`
	Cases []caseResult            `json:"cases"`
}

// served is one CRD as the API server serves its only version.
type served struct {
	structural *structuralschema.Structural
	strategy   customResourceStrategy
	status     statusStrategy
}

// The registry's strategy types are unexported; these are the methods used here.
type customResourceStrategy interface {
	PrepareForCreate(ctx context.Context, obj runtime.Object)
	PrepareForUpdate(ctx context.Context, obj, old runtime.Object)
	Validate(ctx context.Context, obj runtime.Object) field.ErrorList
	ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList
}

type statusStrategy interface {
	PrepareForUpdate(ctx context.Context, obj, old runtime.Object)
	ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList
}

func toFieldErrors(list field.ErrorList) []fieldError {
	out := make([]fieldError, 0, len(list))
	for _, e := range list {
		out = append(out, fieldError{Type: string(e.Type), Field: e.Field, Detail: e.Detail, Message: e.Error()})
	}
	return out
}

// load reads a CRD file, validates it as the API server does on create, and builds what serves it.
func load(ctx context.Context, file string) (string, []fieldError, *served, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return "", nil, nil, err
	}
	var v1crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(raw, &v1crd); err != nil {
		return "", nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&v1crd)
	var crd apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1crd, &crd, nil); err != nil {
		return "", nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	// what the API server sets on create (storedVersions), so that status checks have their input
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			crd.Status.StoredVersions = []string{v.Name}
		}
	}
	crdErrors := toFieldErrors(crdvalidation.ValidateCustomResourceDefinition(ctx, &crd))
	if len(crd.Spec.Versions) != 1 {
		return crd.Name, crdErrors, nil, fmt.Errorf("%s: want one version", file)
	}
	version := crd.Spec.Versions[0].Name
	// One version: conversion to the internal type moves its schema and subresources to the spec.
	validation, err := apiextensions.GetSchemaForVersion(&crd, version)
	if err != nil || validation == nil || validation.OpenAPIV3Schema == nil {
		return crd.Name, crdErrors, nil, fmt.Errorf("%s: no schema for %s (%v)", file, version, err)
	}
	subresources, err := apiextensions.GetSubresourcesForVersion(&crd, version)
	if err != nil {
		return crd.Name, crdErrors, nil, err
	}
	props := validation.OpenAPIV3Schema
	structural, err := structuralschema.NewStructural(props)
	if err != nil {
		return crd.Name, crdErrors, nil, fmt.Errorf("%s: not structural: %w", file, err)
	}
	structural = structural.DeepCopy()
	if err := structuraldefaulting.PruneDefaults(structural); err != nil {
		return crd.Name, crdErrors, nil, fmt.Errorf("%s: %w", file, err)
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(props)
	if err != nil {
		return crd.Name, crdErrors, nil, err
	}
	var statusValidator apiservervalidation.SchemaValidator
	var statusSpec *apiextensions.CustomResourceSubresourceStatus
	var scaleSpec *apiextensions.CustomResourceSubresourceScale
	if subresources != nil {
		statusSpec = subresources.Status
		scaleSpec = subresources.Scale
		if statusSchema, ok := props.Properties["status"]; ok && statusSpec != nil {
			if statusValidator, _, err = apiservervalidation.NewSchemaValidator(&statusSchema); err != nil {
				return crd.Name, crdErrors, nil, err
			}
		}
	}
	kind := schema.GroupVersionKind{Group: crd.Spec.Group, Version: version, Kind: crd.Spec.Names.Kind}
	strategy := customresource.NewStrategy(nil, crd.Spec.Scope == apiextensions.NamespaceScoped, kind, validator, statusValidator, structural, statusSpec, scaleSpec, nil)
	return crd.Spec.Names.Plural, crdErrors, &served{structural: structural, strategy: strategy, status: customresource.NewStatusStrategy(strategy)}, nil
}

// parse reads an object as the API server does: whole numbers as int64, as CEL and the schema expect.
func parse(raw json.RawMessage) (*unstructured.Unstructured, error) {
	object := map[string]interface{}{}
	if err := utiljson.Unmarshal(raw, &object); err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: object}, nil
}

// decode is what the API server does to a request body before the strategy sees it
// (customresource_handler.go schemaCoercingConverter, unstructuredDefaulter).
func (s *served) decode(raw json.RawMessage) (*unstructured.Unstructured, []string, error) {
	u, err := parse(raw)
	if err != nil {
		return nil, nil, err
	}
	unknown := structuralpruning.PruneWithOptions(u.Object, s.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, s.structural)
	// a *field.Error: compared as such, since a nil one in an `error` is not nil
	metaErr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, s.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if metaErr != nil {
		return nil, nil, metaErr
	}
	structuraldefaulting.Default(u.Object, s.structural)
	return u, append(unknown, paths...), nil
}

func (s *served) run(ctx context.Context, c sampleCase) (caseResult, error) {
	out := caseResult{Name: c.Name, UnknownFields: []string{}, Errors: []fieldError{}}
	obj, unknown, err := s.decode(c.Object)
	if err != nil {
		return out, err
	}
	out.UnknownFields = append(out.UnknownFields, unknown...)
	var errs field.ErrorList
	switch c.Operation {
	case "create":
		s.strategy.PrepareForCreate(ctx, obj)
		errs = s.strategy.Validate(ctx, obj)
	case "update", "status":
		if len(c.OldObject) == 0 {
			return out, fmt.Errorf("case %q: %s needs oldObject", c.Name, c.Operation)
		}
		// pruned and defaulted as it was when it was written
		old, _, err := s.decode(c.OldObject)
		if err != nil {
			return out, err
		}
		// what a client sends on update: the stored resourceVersion
		if old.GetResourceVersion() == "" {
			old.SetResourceVersion("1")
		}
		if obj.GetResourceVersion() == "" {
			obj.SetResourceVersion(old.GetResourceVersion())
		}
		if c.Operation == "update" {
			s.strategy.PrepareForUpdate(ctx, obj, old)
			errs = s.strategy.ValidateUpdate(ctx, obj, old)
		} else {
			s.status.PrepareForUpdate(ctx, obj, old)
			errs = s.status.ValidateUpdate(ctx, obj, old)
		}
	default:
		return out, fmt.Errorf("case %q: unknown operation %q", c.Name, c.Operation)
	}
	out.Errors = toFieldErrors(errs)
	out.Object = obj.Object
	return out, nil
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "crd-validate:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, w io.Writer) error {
	var req request
	decoder := json.NewDecoder(in)
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&req); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	ctx := genericapirequest.WithNamespace(context.Background(), "default")
	res := result{CRDs: map[string][]fieldError{}, Cases: []caseResult{}}
	byResource := map[string]*served{}
	for _, file := range req.CRDs {
		plural, crdErrors, s, err := load(ctx, file)
		if plural != "" {
			res.CRDs[plural] = crdErrors
		}
		if err != nil {
			return err
		}
		byResource[plural] = s
	}
	for _, c := range req.Cases {
		s, ok := byResource[c.Resource]
		if !ok {
			return fmt.Errorf("case %q: no CRD for resource %q", c.Name, c.Resource)
		}
		r, err := s.run(ctx, c)
		if err != nil {
			return err
		}
		res.Cases = append(res.Cases, r)
	}
	encoder := json.NewEncoder(w)
	encoder.SetIndent("", "  ")
	return encoder.Encode(res)
}
