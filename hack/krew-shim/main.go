// kubectl-my.exe, the Windows form of the plugin in hack/krew-release.ts's windows-amd64 archive.
//
// krew installs a Windows plugin as a link named kubectl-my.exe to the archive's `bin`
// (sigs.k8s.io/krew internal/installation/install.go createOrUpdateLink), and Windows runs only a
// real executable under that name: a .cmd script would not start. This program is that executable
// and nothing more: it runs `node kubectl-my.cjs ARGS…` from the folder it sits in, where the launcher
// checks the Node.js version and loads the bundle, and exits with node's exit code.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	launcher, err := launcherPath()
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubectl-my: %v\n", err)
		return 1
	}
	node, err := exec.LookPath("node")
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubectl-my needs Node.js 22.19 or newer as `node` on PATH; none was found (https://nodejs.org)")
		return 1
	}
	cmd := exec.Command(node, append([]string{launcher}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches every process of the console: node decides what it means (a watch ends,
	// for one), and this process waits for node's exit code instead of dying first. Caught, not
	// ignored: an ignored signal would stay ignored in node too.
	signal.Notify(make(chan os.Signal, 1), os.Interrupt)
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubectl-my: running %s: %v\n", node, err)
		return 1
	}
	return 0
}

// launcherPath is kubectl-my.cjs beside the real file of this executable: krew's link is resolved,
// since the archive's other files sit in krew's store, not in its bin folder.
func launcherPath() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find its own path: %w", err)
	}
	if real, err := filepath.EvalSymlinks(self); err == nil {
		self = real
	}
	launcher := filepath.Join(filepath.Dir(self), "kubectl-my.cjs")
	if _, err := os.Stat(launcher); err != nil {
		return "", fmt.Errorf("%s is missing: reinstall the plugin (kubectl krew install my)", launcher)
	}
	return launcher, nil
}
