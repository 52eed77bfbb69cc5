// Command xianrong-ferretdb runs FerretDB 1.24 (SQLite backend) through its embedding API,
// so Xianrong has a MongoDB-compatible database without a MongoDB server.
//
// Once it listens it prints exactly one line to stdout: "READY <mongodb uri>".
// Logs go to stderr (warn level by default). It stops on SIGINT/SIGTERM and, with
// -exit-on-stdin-close, when its stdin reaches EOF (the parent process died or closed the pipe).
//
// One process per data folder: before it opens SQLite it takes an exclusive flock on
// <data>/ferretdb.lock, which the kernel releases when this process dies, however it dies. When
// another process holds it, it prints one line "LOCKED <pid of the holder> <message>" to stderr
// (pid 0 when unknown) and exits with code 3 (exitLocked), so the caller can wait for a dying
// holder and try again.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
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
		var locked *lockedError
		if errors.As(err, &locked) {
			fmt.Fprintf(os.Stderr, "LOCKED %d xianrong-ferretdb: %v\n", locked.holder, err)
			os.Exit(exitLocked)
		}
		fmt.Fprintln(os.Stderr, "xianrong-ferretdb:", err)
		os.Exit(1)
	}
}

// exitLocked: another process holds the data folder (server/db/embedded.ts knows this code).
const exitLocked = 3

// lockFileName is the flock'ed file inside the data folder.
const lockFileName = "ferretdb.lock"

type lockedError struct {
	path   string
	holder int // 0 when unknown
}

func (e *lockedError) Error() string {
	who := "another process"
	if e.holder > 0 {
		who = fmt.Sprintf("process %d", e.holder)
	}
	return fmt.Sprintf("the data folder is in use by %s (flock on %s)", who, e.path)
}

// lockDataDir takes an exclusive, non-blocking flock on <dir>/ferretdb.lock and writes our pid
// into it. The returned file must stay open for the life of the process: closing it (or dying)
// releases the lock. The file itself is never removed, so two processes never lock two inodes.
func lockDataDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder := 0
		if b, readErr := os.ReadFile(path); readErr == nil {
			holder, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &lockedError{path: path, holder: holder}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err = f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write lock file: %w", err)
	}
	return f, nil
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
	lock, err := lockDataDir(dir)
	if err != nil {
		return err
	}
	// Held until the process ends; the kernel releases it even after a SIGKILL.
	defer lock.Close()

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
