package dev.ami.osc;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.messageselector.OSCPatternAddressMessageSelector;
import com.illposed.osc.transport.OSCPortIn;
import com.illposed.osc.transport.OSCPortInBuilder;
import com.illposed.osc.transport.OSCPortOut;
import dev.ami.support.Await;
import dev.ami.system.FreePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** A real OSC server on loopback standing in for VRChat: records every message it receives. */
public final class OscRecorder implements AutoCloseable {
  private final OSCPortIn port;
  private final int portNumber;
  private final List<OSCMessage> messages = new CopyOnWriteArrayList<>();
  private final Map<String, Object> current = new ConcurrentHashMap<>();

  public OscRecorder() throws IOException {
    portNumber = FreePort.udp();
    port = new OSCPortInBuilder()
        .setLocalSocketAddress(new InetSocketAddress("127.0.0.1", portNumber))
        .build();
    // JavaOSC 0.8: the builder's addMessageListener fails unless packet listeners were set; use the dispatcher
    port.getDispatcher().addListener(new OSCPatternAddressMessageSelector("//*"), e -> {
      messages.add(e.getMessage());
      current.put(e.getMessage().getAddress(), e.getMessage().getArguments().get(0));
    });
    port.setDaemonListener(true);
    port.startListening();
  }

  public int port() {
    return portNumber;
  }

  public List<OSCMessage> messages() {
    return List.copyOf(messages);
  }

  /** The last value received per address. */
  public Map<String, Object> current() {
    return Map.copyOf(current);
  }

  /** Whether every one of VRChat's five inputs was last set to 0. */
  public boolean allZero() {
    return OscAddresses.ALL.stream().allMatch(a -> {
      Object v = current.get(a);
      return v instanceof Float f ? f == 0f : v instanceof Integer i && i == 0;
    });
  }

  public boolean anyNonZero() {
    return current.values().stream().anyMatch(v -> v instanceof Number n && n.floatValue() != 0f);
  }

  /** Waits (polling, bounded) until the condition holds; false on time-out. */
  public boolean await(Predicate<OscRecorder> condition, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.test(this)) {
        return true;
      }
      Thread.sleep(10);
    }
    return condition.test(this);
  }

  /**
   * Every message sent here before this call: a marker sent now comes after them, as loopback queues datagrams to
   * one socket in the order they were sent and the listener reads them in that order. The marker is forgotten.
   */
  public List<OSCMessage> messagesSentBefore() throws Exception {
    String marker = "/test/marker" + System.nanoTime();
    OSCPortOut out = new OSCPortOut(new InetSocketAddress("127.0.0.1", portNumber));
    try {
      out.send(new OSCMessage(marker, List.of(1)));
    } finally {
      out.close();
    }
    Await.until(Duration.ofSeconds(30), () -> messages.stream().anyMatch(m -> m.getAddress().equals(marker)),
        "the marker comes back");
    List<OSCMessage> before = new ArrayList<>();
    for (OSCMessage m : messages) {
      if (m.getAddress().equals(marker)) {
        break;
      }
      before.add(m);
    }
    messages.removeIf(m -> m.getAddress().equals(marker));
    current.remove(marker);
    return before;
  }

  public void clear() {
    messages.clear();
  }

  @Override
  public void close() throws IOException {
    port.stopListening();
    port.close();
  }
}
