// Package localstack runs the platform's backing services on one machine,
// without containers: a private PostgreSQL cluster, versitygw as the S3
// server and Mailpit as the SMTP catcher, each as a child process.
package localstack

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// Process is a child process started by the stack.
type Process struct {
	Name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	// stopSignal asks the process to shut down cleanly (SIGTERM; SIGINT for
	// PostgreSQL's fast shutdown).
	stopSignal syscall.Signal
}

// Spec says how to start a child process.
type Spec struct {
	Name string
	Path string
	Args []string
	Env  []string // added to this process's environment
	Dir  string
	// Log receives stdout and stderr.
	Log io.Writer
	// User, if set, is the account the process runs as (PostgreSQL refuses root).
	User       *syscall.Credential
	StopSignal syscall.Signal
}

// Start starts the process in its own process group, so a Ctrl-C in the
// terminal reaches only the stack, which then stops its children in order.
// Pdeathsig ends the child if the stack itself is killed.
func Start(s Spec) (*Process, error) {
	cmd := exec.Command(s.Path, s.Args...)
	cmd.Env = append(os.Environ(), s.Env...)
	cmd.Dir = s.Dir
	cmd.Stdout = s.Log
	cmd.Stderr = s.Log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM, Credential: s.User}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", s.Name, err)
	}
	sig := s.StopSignal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	p := &Process{Name: s.Name, cmd: cmd, done: make(chan struct{}), stopSignal: sig}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Err is the exit error, once Done is closed.
func (p *Process) Err() error { return p.err }

// Stop asks the process to exit and waits up to timeout, then kills it.
func (p *Process) Stop(timeout time.Duration) error {
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = p.cmd.Process.Signal(p.stopSignal)
	select {
	case <-p.done:
		return nil
	case <-time.After(timeout):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%s did not stop within %s; killed", p.Name, timeout)
	}
}

// WaitTCP waits until addr accepts connections, the process exits, or ctx ends.
func (p *Process) WaitTCP(ctx context.Context, addr string) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before listening on %s: %v", p.Name, addr, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%s: not listening on %s: %w", p.Name, addr, ctx.Err())
		case <-tick.C:
		}
	}
}

// FreePort asks the kernel for a free TCP port on the loopback interface.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// FreePortRange finds n consecutive free loopback ports and returns the
// first. Processes started at once look in different places (by pid), so
// they rarely race for the same range.
func FreePortRange(n int) (int, error) {
	for base := 21000 + os.Getpid()%20000; base+n < 65000; base += n + 7 {
		free := true
		for p := base; p < base+n && free; p++ {
			ln, err := net.Listen("tcp", Addr(p))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d consecutive free ports", n)
}

// Addr is host:port on the loopback interface.
func Addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
