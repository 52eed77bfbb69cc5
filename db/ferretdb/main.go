// Command xianrong-ferretdb runs FerretDB 1.24 (SQLite backend) through its embedding API,
// so Xianrong has a MongoDB-compatible database without a MongoDB server.
//
// Once it listens it prints exactly one line to stdout: "READY <mongodb uri>".
// Logs go to stderr (warn level by default). It stops on SIGINT/SIGTERM and, with
// -exit-on-stdin-close, when its stdin reaches EOF (the parent process died or closed the pipe).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 = any free port)")
	dataDir := flag.String("data", "data/ferretdb", "directory for the SQLite files (created if missing)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn, error")
	exitOnStdinClose := flag.Bool("exit-on-stdin-close", false, "exit when stdin is closed (parent process gone)")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel, *exitOnStdinClose); err != nil {
		fmt.Fprintln(os.Stderr, "xianrong-ferretdb:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel string, exitOnStdinClose bool) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(logLevel))); err != nil {
		return fmt.Errorf("log level %q: %w", logLevel, err)
	}
	logger := slog.New(quietResponses{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}), level})
	slog.SetDefault(logger)

	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return fmt.Errorf("data directory %q: %w", dataDir, err)
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if exitOnStdinClose {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}

	// New opens the listener, so the address (and the URI) is known before Run.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + filepath.ToSlash(dir) + "/",
	})
	if err != nil {
		return fmt.Errorf("start FerretDB: %w", err)
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	fmt.Fprintf(os.Stdout, "READY %s\n", f.MongoDBURI())

	return <-done
}

// quietResponses drops, unless the log level is debug, FerretDB's warn-level noise: the dump of
// every failed command's wire response (a duplicate key, or the driver's unsupported endSessions
// on each disconnect) and "Connection stopped" when a client simply closed its socket.
type quietResponses struct {
	slog.Handler
	level slog.Level
}

func (q quietResponses) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn && q.level > slog.LevelDebug {
		if strings.HasPrefix(r.Message, "Response header:") || strings.HasPrefix(r.Message, "Response message:") {
			return nil
		}
		// A client closing its socket (every driver does on close) is not a problem.
		if r.Message == "Connection stopped" && benignDisconnect(r) {
			return nil
		}
	}
	return q.Handler.Handle(ctx, r)
}

func (q quietResponses) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quietResponses{q.Handler.WithAttrs(attrs), q.level}
}

func (q quietResponses) WithGroup(name string) slog.Handler {
	return quietResponses{q.Handler.WithGroup(name), q.level}
}

func benignDisconnect(r slog.Record) bool {
	benign := false
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			e := a.Value.String()
			benign = strings.Contains(e, "connection reset by peer") || strings.HasSuffix(e, "EOF") || strings.Contains(e, "read 0: EOF")
			return false
		}
		return true
	})
	return benign
}
