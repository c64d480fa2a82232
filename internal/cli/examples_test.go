package cli

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The deployment examples must keep working with the flags as they are:
// their arguments and environment parse, the probes name the endpoints,
// and the supervisor waits longer than the shutdown timeout.

func TestKubernetesExample(t *testing.T) {
	data, err := os.ReadFile("../../examples/deploy/kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type probe struct {
		HTTPGet struct {
			Path string `yaml:"path"`
			Port string `yaml:"port"`
		} `yaml:"httpGet"`
	}
	type manifest struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"metadata"`
		Spec struct {
			Template struct {
				Spec struct {
					ServiceAccountName string `yaml:"serviceAccountName"`
					Grace              int    `yaml:"terminationGracePeriodSeconds"`
					SecurityContext    struct {
						RunAsNonRoot bool `yaml:"runAsNonRoot"`
					} `yaml:"securityContext"`
					Containers []struct {
						Args []string `yaml:"args"`
						Env  []struct {
							Name  string `yaml:"name"`
							Value string `yaml:"value"`
						} `yaml:"env"`
						Liveness        probe `yaml:"livenessProbe"`
						Readiness       probe `yaml:"readinessProbe"`
						SecurityContext struct {
							ReadOnlyRootFilesystem bool `yaml:"readOnlyRootFilesystem"`
						} `yaml:"securityContext"`
						Resources struct {
							Requests map[string]string `yaml:"requests"`
						} `yaml:"resources"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	kinds := map[string]bool{}
	for {
		var m manifest
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		kinds[m.Kind] = true
		switch m.Kind {
		case "ServiceAccount":
			if !strings.HasPrefix(m.Metadata.Annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::") {
				t.Error("the ServiceAccount has no IRSA role annotation")
			}
		case "Deployment":
			pod := m.Spec.Template.Spec
			if len(pod.Containers) != 1 || pod.ServiceAccountName == "" || !pod.SecurityContext.RunAsNonRoot {
				t.Fatalf("pod spec %+v", pod)
			}
			c := pod.Containers[0]
			env := map[string]string{}
			for _, e := range c.Env {
				env[e.Name] = e.Value
			}
			f, err := parseFlags(c.Args, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatalf("the Deployment's flags: %v", err)
			}
			if c.Liveness.HTTPGet.Path != "/healthz" || c.Readiness.HTTPGet.Path != "/readyz" {
				t.Errorf("probes %+v %+v", c.Liveness, c.Readiness)
			}
			if time.Duration(pod.Grace)*time.Second <= f.ShutdownTimeout {
				t.Errorf("terminationGracePeriodSeconds %d is not longer than the shutdown timeout %s", pod.Grace, f.ShutdownTimeout)
			}
			if !c.SecurityContext.ReadOnlyRootFilesystem || c.Resources.Requests["memory"] == "" {
				t.Errorf("container security context or requests missing")
			}
		}
	}
	for _, k := range []string{"ServiceAccount", "Deployment", "ConfigMap"} {
		if !kinds[k] {
			t.Errorf("no %s", k)
		}
	}
}

func TestSystemdExample(t *testing.T) {
	data, err := os.ReadFile("../../examples/deploy/replsync-daemon.service")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	var args []string
	var stopTimeout time.Duration
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), "=")
		switch {
		case !ok || strings.HasPrefix(key, "#"):
		case key == "Environment":
			k, v, _ := strings.Cut(value, "=")
			env[k] = v
		case key == "ExecStart":
			args = strings.Fields(value)[1:]
		case key == "TimeoutStopSec":
			if stopTimeout, err = time.ParseDuration(value); err != nil {
				t.Fatal(err)
			}
		}
	}
	f, err := parseFlags(args, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("the unit's flags: %v", err)
	}
	if f.Once || stopTimeout <= f.ShutdownTimeout {
		t.Errorf("once %v, TimeoutStopSec %s, shutdown timeout %s", f.Once, stopTimeout, f.ShutdownTimeout)
	}
	if !strings.Contains(string(data), "ExecReload=/bin/kill -HUP $MAINPID") {
		t.Error("no reload by SIGHUP")
	}
}
