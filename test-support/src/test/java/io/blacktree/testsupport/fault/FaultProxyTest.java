package io.blacktree.testsupport.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
  private ServerSocket echo;
  private FaultProxy proxy;

  @BeforeEach
  void startEchoAndProxy() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread c = new Thread(() -> {
            try (s) {
              s.getInputStream().transferTo(s.getOutputStream());
            } catch (IOException e) {
              // peer gone
            }
          });
          c.setDaemon(true);
          c.start();
        } catch (IOException e) {
          return;
        }
      }
    });
    t.setDaemon(true);
    t.start();
    proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    echo.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", proxy.port());
    s.setSoTimeout(3_000);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    byte[] buf = s.getInputStream().readNBytes(text.length());
    return new String(buf, StandardCharsets.UTF_8);
  }

  @Test
  void pass_echoTarget_bytesForwardedBothWays() throws IOException {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello");
      assertThat(roundTrip(s, "again")).isEqualTo("again");
    }
    assertThat(proxy.mode()).isEqualTo(FaultProxy.Mode.PASS);
    assertThat(proxy.address()).isEqualTo("127.0.0.1:" + proxy.port());
  }

  @Test
  void drop_openAndNewConnections_closedThenPassAfterThePeriod() throws Exception {
    Socket open = connect();
    assertThat(roundTrip(open, "x")).isEqualTo("x");

    proxy.drop(Duration.ofMillis(1500));

    assertThat(open.getInputStream().read()).as("open connection closed").isEqualTo(-1);
    try (Socket during = connect()) {
      assertThat(readOrReset(during)).as("new connection closed").isTrue();
    }
    awaitTrue(() -> proxy.mode() == FaultProxy.Mode.PASS);
    try (Socket after = connect()) {
      assertThat(roundTrip(after, "back")).isEqualTo("back");
    }
    open.close();
  }

  @Test
  void reset_openConnection_peerSeesConnectionReset() throws Exception {
    Socket open = connect();
    assertThat(roundTrip(open, "x")).isEqualTo("x");

    proxy.reset(Duration.ofSeconds(1));

    assertThatThrownBy(() -> {
      InputStream in = open.getInputStream();
      in.read();
      open.getOutputStream().write(1);
      in.read();
    }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    open.close();
    awaitTrue(() -> proxy.mode() == FaultProxy.Mode.PASS);
    try (Socket after = connect()) {
      assertThat(roundTrip(after, "ok")).isEqualTo("ok");
    }
  }

  @Test
  void delay_oneChunk_arrivesAfterTheDelay() throws IOException {
    try (Socket s = connect()) {
      proxy.delay(Duration.ofMillis(300), Duration.ofSeconds(10));
      long start = System.nanoTime();
      assertThat(roundTrip(s, "slow")).isEqualTo("slow");
      // one delay each way
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(550);
      proxy.pass();
      start = System.nanoTime();
      assertThat(roundTrip(s, "fast")).isEqualTo("fast");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(300);
    }
  }

  @Test
  void blackhole_noAnswerDuringThePeriod_blackholedClosedAfterAndNewPass() throws Exception {
    Socket open = connect();
    assertThat(roundTrip(open, "x")).isEqualTo("x");

    proxy.blackhole(Duration.ofMillis(1500));

    open.setSoTimeout(500);
    open.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> open.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    try (Socket during = connect()) {
      during.setSoTimeout(500);
      during.getOutputStream().write("lost too".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> during.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
    }
    awaitTrue(() -> proxy.mode() == FaultProxy.Mode.PASS);
    open.setSoTimeout(3_000);
    assertThat(readOrReset(open)).as("blackholed connection closed after the fault").isTrue();
    open.close();
    try (Socket after = connect()) {
      assertThat(roundTrip(after, "through")).isEqualTo("through");
    }
  }

  /** True when the socket reads end of stream or a reset (both: the proxy closed it). */
  private static boolean readOrReset(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketException e) {
      return true;
    }
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    Instant end = Instant.now().plusSeconds(10);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("condition within 10 s").isBefore(end);
      Thread.sleep(50);
    }
  }
}
