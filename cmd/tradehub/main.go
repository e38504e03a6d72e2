// Command tradehub runs Tradehub, the 3PL value-added services portal: the GraphQL gateway, the
// embedded portal, and (unless MONGODB_URI is set) an embedded MongoDB-compatible store.
//
// Usage:
//
//	tradehub [serve] [flags]   serve (the default)
//	tradehub healthcheck       exit 0 when the server at TRADEHUB_ADDR is live (for HEALTHCHECK)
//	tradehub create-admin -email E -name N
//	                           create the installation's first platform admin; the password is
//	                           read from TRADEHUB_ADMIN_PASSWORD or the first line of stdin
//	tradehub version
//
// Every flag has an environment variable; see `tradehub serve -h` and the README.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/tradehub/tradehub/internal/errs"
	"github.com/tradehub/tradehub/internal/logging"
	"github.com/tradehub/tradehub/internal/mongodb"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tradehub:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, lookupEnv, stdout, stderr)
	case "healthcheck":
		return healthcheck(ctx, args, lookupEnv, stderr)
	case "create-admin":
		return createAdmin(ctx, args, lookupEnv, os.Stdin, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version())
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, healthcheck, create-admin or version)", cmd)
	}
}

func serve(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdout, stderr io.Writer) error {
	cfg, err := parseConfig("tradehub serve", args, lookupEnv, stderr)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	a, err := start(ctx, cfg, logger)
	if err != nil {
		return err
	}
	logger.Info("listening", "addr", a.http.Addr(), "env", cfg.Env, "embedded_store", cfg.embedded())
	a.printURLs(stdout)
	return a.serve(ctx)
}

// healthcheck asks the local server's /healthz; the container's HEALTHCHECK runs it, since the
// runtime image has no curl.
func healthcheck(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stderr io.Writer) error {
	cfg, err := parseConfig("tradehub healthcheck", args, lookupEnv, stderr)
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("TRADEHUB_ADDR %q: %w", cfg.Addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s", resp.Status)
	}
	return nil
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "tradehub (unknown version)"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
	}
	return "tradehub " + v + " " + info.GoVersion
}

// createAdmin makes the first platform admin of an installation: the one account that can then
// create sellers, partners and staff through the API. The password never appears in argv.
func createAdmin(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) error {
	var email, name string
	rest := args[:0:0]
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-email", "--email":
			if i+1 < len(args) {
				email, i = args[i+1], i+1
			}
		case "-name", "--name":
			if i+1 < len(args) {
				name, i = args[i+1], i+1
			}
		default:
			rest = append(rest, args[i])
		}
	}
	if email == "" || name == "" {
		return errors.New("create-admin: -email and -name are required")
	}
	cfg, err := parseConfig("tradehub create-admin", rest, lookupEnv, stderr)
	if err != nil {
		return err
	}
	password, _ := lookupEnv("TRADEHUB_ADMIN_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("create-admin: give the password in TRADEHUB_ADMIN_PASSWORD or on stdin")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	logger, err := logging.New(stderr, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	a := &app{cfg: cfg, logger: logger}
	a.bgCtx, a.bgCancel = context.WithCancel(context.Background())
	defer a.stop(context.Background())
	if err := a.openStore(ctx); err != nil {
		return err
	}
	if err := mongodb.EnsureIndexes(ctx, a.store.DB, indexes()...); err != nil {
		return err
	}
	svc, err := newServices(ctx, a.store, cfg, logger, nil)
	if err != nil {
		return err
	}
	u, err := svc.accounts.BootstrapPlatformAdmin(ctx, email, name, password)
	if err != nil {
		if e, ok := errs.As(err); ok && e.Code != errs.Internal {
			return fmt.Errorf("create-admin: %s", e.Message)
		}
		return err
	}
	fmt.Fprintf(stdout, "platform admin %s (%s) is ready; sign in at %s\n", u.Email, u.ID, cfg.publicURL())
	return nil
}
