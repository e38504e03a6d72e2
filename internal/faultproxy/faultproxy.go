// Package faultproxy is a TCP proxy for fault-injection tests: it sits between the MongoDB driver
// and the store, forwards the wire protocol message by message, and on command drops every
// connection, refuses new ones, or loses one message's reply. Tests use it to take the store
// away in the middle of a request and to bring it back, without touching production code.
//
// It frames the MongoDB wire protocol (a little-endian int32 length leads every message) so that
// a fault hits a message boundary: "the k-th command never reached the store" or "the store
// applied the k-th command but its reply was lost", the two outcomes a client cannot tell apart.
package faultproxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Mode says what happens to the message that triggers an armed fault.
type Mode int

const (
	// DropRequest closes every connection before the message reaches the store: the command
	// never runs.
	DropRequest Mode = iota
	// DropReply forwards the message, waits for the store's reply, discards it and then closes
	// every connection: the command ran, the client never hears so.
	DropReply
)

func (m Mode) String() string {
	if m == DropReply {
		return "drop-reply"
	}
	return "drop-request"
}

// Proxy forwards connections from Addr to a target address.
type Proxy struct {
	target string
	ln     net.Listener

	mu    sync.Mutex
	conns map[*pair]struct{}
	down  bool
	armed *fault

	faults   atomic.Int64
	messages atomic.Int64
	wg       sync.WaitGroup
}

type fault struct {
	after    int64 // messages still to pass before the fault
	mode     Mode
	stayDown bool
}

// pair is one client connection and its store connection.
type pair struct {
	client, store net.Conn
	// swallow, when set, makes the store→client pump discard the next reply and then cut.
	swallow atomic.Bool
	once    sync.Once
}

func (c *pair) close() {
	c.once.Do(func() {
		_ = c.client.Close()
		_ = c.store.Close()
	})
}

// Start listens on a free loopback port and forwards to target (host:port).
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, ln: ln, conns: map[*pair]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Faults counts the faults injected so far (each Cut, and each armed fault that fired).
func (p *Proxy) Faults() int64 { return p.faults.Load() }

// Messages counts the client messages forwarded so far.
func (p *Proxy) Messages() int64 { return p.messages.Load() }

// Cut drops every connection and refuses new ones until Restore: the store is unreachable.
func (p *Proxy) Cut() {
	p.faults.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cutLocked()
}

func (p *Proxy) cutLocked() {
	p.down = true
	for c := range p.conns {
		c.close()
		delete(p.conns, c)
	}
}

// Restore accepts connections again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// Down reports whether the proxy refuses connections.
func (p *Proxy) Down() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.down
}

// Arm makes the (skip+1)-th client message from now, on any connection, trigger a fault: every
// connection is dropped as mode says. With stayDown the proxy then refuses connections until
// Restore; without it, it accepts new ones at once (a store that blinked). The driver's own
// heartbeats are forwarded without counting (see heartbeat).
func (p *Proxy) Arm(skip int, mode Mode, stayDown bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = &fault{after: int64(skip), mode: mode, stayDown: stayDown}
}

// Disarm cancels an armed fault that has not fired; it reports whether one was pending.
func (p *Proxy) Disarm() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	pending := p.armed != nil
	p.armed = nil
	return pending
}

// Close stops listening and drops every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.cutLocked()
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			_ = client.Close()
			continue
		}
		store, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		c := &pair{client: client, store: store}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.close()
			continue
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pumpRequests(c)
		go p.pumpReplies(c)
	}
}

// heartbeat reports a driver monitoring command (hello / isMaster): the driver sends those on
// its own schedule, so they neither count toward an armed fault nor trigger one.
func heartbeat(msg []byte) bool {
	return bytes.Contains(msg, []byte("hello\x00")) || bytes.Contains(msg, []byte("ismaster\x00")) ||
		bytes.Contains(msg, []byte("isMaster\x00"))
}

func (p *Proxy) pumpRequests(c *pair) {
	defer p.wg.Done()
	defer p.drop(c)
	for {
		msg, err := readMessage(c.client)
		if err != nil {
			return
		}
		mode, fire := p.tick(msg)
		if fire && mode == DropRequest {
			p.fire()
			return
		}
		if fire {
			c.swallow.Store(true)
		}
		if _, err := c.store.Write(msg); err != nil {
			return
		}
		p.messages.Add(1)
	}
}

// tick counts msg against the armed fault; fire is true when msg is the one that triggers it.
func (p *Proxy) tick(msg []byte) (Mode, bool) {
	if heartbeat(msg) {
		return 0, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.armed
	if f == nil {
		return 0, false
	}
	if f.after > 0 {
		f.after--
		return 0, false
	}
	return f.mode, true
}

// fire injects the armed fault: every connection is dropped, and the proxy stays down if asked.
func (p *Proxy) fire() {
	p.faults.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.armed
	p.armed = nil
	p.cutLocked()
	if f == nil || !f.stayDown {
		p.down = false
	}
}

func (p *Proxy) pumpReplies(c *pair) {
	defer p.wg.Done()
	defer p.drop(c)
	for {
		msg, err := readMessage(c.store)
		if err != nil {
			return
		}
		if c.swallow.Load() {
			p.fire()
			return
		}
		if _, err := c.client.Write(msg); err != nil {
			return
		}
	}
}

func (p *Proxy) drop(c *pair) {
	c.close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// maxMessage bounds a message (MongoDB's own maximum is 48 MB).
const maxMessage = 48 << 20

// readMessage reads one wire protocol message: its int32 length, then the rest.
func readMessage(r io.Reader) ([]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(head[:]))
	if n < 16 || n > maxMessage {
		return nil, errors.New("faultproxy: not a MongoDB wire message")
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	if _, err := io.ReadFull(r, msg[4:]); err != nil {
		return nil, err
	}
	return msg, nil
}
