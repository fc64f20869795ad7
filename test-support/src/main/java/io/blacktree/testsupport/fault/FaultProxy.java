package io.blacktree.testsupport.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;

/**
 * A loopback TCP proxy on an ephemeral port in front of one target {@code host:port}, for fault tests: put it
 * between two components (orchestrator and worker, worker and registry, worker and git server) and switch its
 * {@link Mode} for a while. Thread per connection direction; every fault lasts a given time, then the proxy is
 * back to {@link Mode#PASS} by itself.
 *
 * <ul>
 *   <li>{@link Mode#PASS}: bytes forwarded both ways.
 *   <li>{@link Mode#DROP}: every open connection is closed (FIN), new ones are accepted and closed at once.
 *   <li>{@link Mode#RESET}: like drop but with a TCP RST ({@code SO_LINGER 0}): peers see "connection reset".
 *   <li>{@link Mode#DELAY}: every chunk is forwarded after the delay.
 *   <li>{@link Mode#BLACKHOLE}: connections stay open, what they send is read and thrown away, nothing is
 *       forwarded or answered; new connections are accepted the same way. When the fault ends, the connections
 *       that were blackholed are closed (their streams lost bytes), new ones pass.
 * </ul>
 *
 * <p>Given a listener of the caller's ({@link #start(ServerSocket, String, int)}), e.g. an
 * {@code SSLServerSocket}, the proxy terminates TLS in front of a plaintext target: each accepted TLS connection
 * completes its handshake before the target is connected ({@link #tlsHandshakes()} counts them).
 */
public final class FaultProxy implements AutoCloseable {
  /** What the proxy does with traffic. */
  public enum Mode { PASS, DROP, RESET, DELAY, BLACKHOLE }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timer;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger tlsHandshakes = new AtomicInteger();
  private volatile Mode mode = Mode.PASS;
  private volatile long delayMillis;
  private volatile boolean closed;

  private FaultProxy(String targetHost, int targetPort, ServerSocket server) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = server;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fault-proxy-timer-" + port()));
  }

  /** Starts a proxy on 127.0.0.1 (ephemeral port) forwarding to {@code targetHost:targetPort}. */
  public static FaultProxy start(String targetHost, int targetPort) {
    try {
      return start(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), targetHost, targetPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a proxy accepting on {@code listener} (bound by the caller, on loopback: {@link #address()} names
   * 127.0.0.1) and forwarding to {@code targetHost:targetPort}. With an {@code SSLServerSocket} the proxy is a
   * TLS terminator: the listener's parameters (client authentication, ALPN) decide which handshakes complete.
   */
  public static FaultProxy start(ServerSocket listener, String targetHost, int targetPort) {
    FaultProxy proxy = new FaultProxy(targetHost, targetPort, listener);
    daemon(proxy::acceptLoop, "fault-proxy-accept-" + listener.getLocalPort()).start();
    return proxy;
  }

  /** Starts a proxy in front of {@code host:port}. */
  public static FaultProxy start(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return start(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:<port>}: the address to give the client instead of the target's. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  /** The mode in effect now. */
  public Mode mode() {
    return mode;
  }

  /** Connections accepted since the start. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /** TLS handshakes completed since the start (0 unless the listener is an {@code SSLServerSocket}). */
  public int tlsHandshakes() {
    return tlsHandshakes.get();
  }

  /** Open connections right now. */
  public int openConnections() {
    return connections.size();
  }

  /** Back to forwarding (ends any fault now). */
  public void pass() {
    generation.incrementAndGet();
    endFault();
  }

  /** Closes every connection and every new one for {@code length}. */
  public void drop(Duration length) {
    fault(Mode.DROP, 0, length);
  }

  /** Resets (RST) every connection and every new one for {@code length}. */
  public void reset(Duration length) {
    fault(Mode.RESET, 0, length);
  }

  /** Forwards every chunk {@code delay} late for {@code length}. */
  public void delay(Duration delay, Duration length) {
    fault(Mode.DELAY, delay.toMillis(), length);
  }

  /** Swallows all traffic, answering nothing, for {@code length}; blackholed connections are closed after. */
  public void blackhole(Duration length) {
    fault(Mode.BLACKHOLE, 0, length);
  }

  private synchronized void fault(Mode newMode, long delay, Duration length) {
    long gen = generation.incrementAndGet();
    delayMillis = delay;
    mode = newMode;
    for (Connection c : List.copyOf(connections)) {
      switch (newMode) {
        case DROP -> c.close(false);
        case RESET -> c.close(true);
        case BLACKHOLE -> c.blackholed = true;
        default -> { }
      }
    }
    timer.schedule(() -> {
      if (generation.get() == gen) {
        endFault();
      }
    }, length.toMillis(), TimeUnit.MILLISECONDS);
  }

  private synchronized void endFault() {
    mode = Mode.PASS;
    delayMillis = 0;
    for (Connection c : List.copyOf(connections)) {
      if (c.blackholed) {
        c.close(false);
      }
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      daemon(() -> handle(client), "fault-proxy-conn-" + port()).start();
    }
  }

  private void handle(Socket client) {
    Mode now = mode;
    if (now == Mode.DROP || now == Mode.RESET) {
      closeSocket(client, now == Mode.RESET);
      return;
    }
    if (client instanceof SSLSocket tls && !handshake(tls)) {
      return;
    }
    Connection c = new Connection(client);
    if (now == Mode.BLACKHOLE) {
      c.blackholed = true;
      connections.add(c);
      c.swallow();
      return;
    }
    try {
      Socket upstream = new Socket();
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
      c.upstream = upstream;
    } catch (IOException e) {
      closeSocket(client, true);
      return;
    }
    connections.add(c);
    if (closed) {
      c.close(false);
      return;
    }
    daemon(() -> c.pump(c.upstream, client), "fault-proxy-down-" + port()).start();
    c.pump(client, c.upstream);
  }

  /** Completes the TLS handshake (bounded); false (socket closed) when the client is refused or too slow. */
  private boolean handshake(SSLSocket tls) {
    try {
      tls.setSoTimeout(30_000);
      tls.startHandshake();
      tls.setSoTimeout(0);
      tlsHandshakes.incrementAndGet();
      return true;
    } catch (IOException e) {
      closeSocket(tls, false);
      return false;
    }
  }

  /** One proxied connection: the client's socket and (unless blackholed at accept) the target's. */
  private final class Connection {
    final Socket client;
    volatile Socket upstream;
    volatile boolean blackholed;
    final AtomicInteger directionsEnded = new AtomicInteger();

    Connection(Socket client) {
      this.client = client;
    }

    void pump(Socket from, Socket to) {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (blackholed) {
            continue;
          }
          long delay = mode == Mode.DELAY ? delayMillis : 0;
          if (delay > 0) {
            Thread.sleep(delay);
          }
          if (blackholed) {
            continue;
          }
          out.write(buf, 0, n);
          out.flush();
        }
        // half-close: pass the peer's FIN on; both directions ended = closed
        if (!to.isClosed()) {
          to.shutdownOutput();
        }
        if (directionsEnded.incrementAndGet() == 2) {
          close(false);
        }
      } catch (IOException e) {
        close(e instanceof SocketException && String.valueOf(e.getMessage()).contains("reset"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close(false);
      }
    }

    void swallow() {
      byte[] buf = new byte[16 * 1024];
      try {
        InputStream in = client.getInputStream();
        while (in.read(buf) >= 0) {
          // thrown away
        }
      } catch (IOException e) {
        // closed
      }
      close(false);
    }

    void close(boolean rst) {
      connections.remove(this);
      closeSocket(client, rst);
      Socket up = upstream;
      if (up != null) {
        closeSocket(up, rst);
      }
    }
  }

  private static void closeSocket(Socket s, boolean rst) {
    try {
      if (rst && !s.isClosed()) {
        s.setSoLinger(true, 0);
      }
    } catch (SocketException e) {
      // already closed
    }
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    closed = true;
    timer.shutdownNow();
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    for (Connection c : List.copyOf(connections)) {
      c.close(false);
    }
  }

  @Override
  public String toString() {
    return "FaultProxy[" + address() + " -> " + targetHost + ":" + targetPort + ", " + mode + "]";
  }
}
