// Command describe-golden writes the golden outputs that test/unit/cli-history-describe.test.ts
// compares `kubectl my rollout history … --revision N` with. It runs kubectl's own code (k8s.io/kubectl
// v0.36.3), so the goldens are what kubectl prints, not what we think it prints:
//
//   - every test/unit/fixtures/describe/*.json holds a pod template; NAME.txt gets what
//     pkg/polymorphichelpers/history.go printTemplate renders for it (describe.DescribePodTemplate on a
//     plain describe.NewPrefixWriter: no tabwriter, so tabs stay in the output);
//   - every history/*.json holds an apps/v1 workload, its ReplicaSets or ControllerRevisions and a
//     revision; NAME.txt gets the whole output of `kubectl rollout history KIND/NAME --revision N`
//     (pkg/cmd/rollout/rollout_history.go Run: the HistoryViewer against a fake clientset, framed
//     by the name printer), or `error: …` as kubectl prints a failure.
//
// Regenerate with hack/describe-golden/run.sh. The tests never run this program.
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/json"
	"k8s.io/cli-runtime/pkg/printers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/kubectl/pkg/describe"
	"k8s.io/kubectl/pkg/polymorphichelpers"
)

// scenario is one `kubectl rollout history KIND/NAME --revision N` run.
type scenario struct {
	Revision            int64                        `json:"revision"`
	Deployment          *appsv1.Deployment           `json:"deployment,omitempty"`
	DaemonSet           *appsv1.DaemonSet            `json:"daemonSet,omitempty"`
	StatefulSet         *appsv1.StatefulSet          `json:"statefulSet,omitempty"`
	ReplicaSets         []appsv1.ReplicaSet          `json:"replicaSets,omitempty"`
	ControllerRevisions []appsv1.ControllerRevision `json:"controllerRevisions,omitempty"`
}

func main() {
	dir := "../../test/unit/fixtures/describe"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	if err := writeGoldens(dir, describeTemplate); err != nil {
		fail(err)
	}
	if err := writeGoldens(filepath.Join(dir, "history"), viewHistory); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// writeGoldens renders every NAME.json in dir into NAME.txt.
func writeGoldens(dir string, render func([]byte) (string, error)) error {
	inputs, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, input := range inputs {
		data, err := os.ReadFile(input)
		if err != nil {
			return err
		}
		out, err := render(data)
		if err != nil {
			return fmt.Errorf("%s: %w", input, err)
		}
		golden := strings.TrimSuffix(input, ".json") + ".txt"
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			return err
		}
		fmt.Println(golden)
	}
	return nil
}

// describeTemplate is polymorphichelpers printTemplate (unexported there).
func describeTemplate(data []byte) (string, error) {
	template := &corev1.PodTemplateSpec{}
	if err := json.Unmarshal(data, template); err != nil {
		return "", err
	}
	buf := &bytes.Buffer{}
	describe.DescribePodTemplate(template, describe.NewPrefixWriter(buf))
	return buf.String(), nil
}

// viewHistory follows rollout_history.go Run for one object and --revision.
func viewHistory(data []byte) (string, error) {
	s := &scenario{}
	if err := json.Unmarshal(data, s); err != nil {
		return "", err
	}
	var objects []runtime.Object
	var obj runtime.Object
	var namespace, name, kind string
	switch {
	case s.Deployment != nil:
		obj, namespace, name, kind = s.Deployment, s.Deployment.Namespace, s.Deployment.Name, "Deployment"
	case s.DaemonSet != nil:
		obj, namespace, name, kind = s.DaemonSet, s.DaemonSet.Namespace, s.DaemonSet.Name, "DaemonSet"
	case s.StatefulSet != nil:
		obj, namespace, name, kind = s.StatefulSet, s.StatefulSet.Namespace, s.StatefulSet.Name, "StatefulSet"
	default:
		return "", fmt.Errorf("no workload")
	}
	objects = append(objects, obj)
	for i := range s.ReplicaSets {
		objects = append(objects, &s.ReplicaSets[i])
	}
	for i := range s.ControllerRevisions {
		objects = append(objects, &s.ControllerRevisions[i])
	}
	gk := schema.GroupKind{Group: "apps", Kind: kind}
	viewer, err := polymorphichelpers.HistoryViewerFor(gk, fake.NewSimpleClientset(objects...))
	if err != nil {
		return "", err
	}
	historyInfo, err := viewer.ViewHistory(namespace, name, s.Revision)
	if err != nil {
		// cmdutil.CheckErr prints the error this way and exits 1.
		return fmt.Sprintf("error: %v\n", err), nil
	}
	withRevision := ""
	if s.Revision > 0 {
		withRevision = fmt.Sprintf("with revision #%d", s.Revision)
	}
	obj.GetObjectKind().SetGroupVersionKind(gk.WithVersion("v1"))
	buf := &bytes.Buffer{}
	printer := &printers.NamePrinter{Operation: fmt.Sprintf("%s\n%s", withRevision, historyInfo)}
	if err := printer.PrintObj(obj, buf); err != nil {
		return "", err
	}
	return buf.String(), nil
}
