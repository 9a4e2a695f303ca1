package dev.ami.world.sim;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.OSCMessageEvent;
import com.illposed.osc.messageselector.OSCPatternAddressMessageSelector;
import com.illposed.osc.transport.OSCPortIn;
import com.illposed.osc.transport.OSCPortInBuilder;
import dev.ami.osc.InputState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The built-in world's ear: a UDP OSC server on loopback that understands VRChat's {@code /input/*} API and
 * keeps the latest value of each input. Axes accept any number (clamped to [-1, 1]); buttons 0/1 or booleans.
 */
final class OscInputServer implements AutoCloseable {
  private final AtomicReference<InputState> state = new AtomicReference<>(InputState.NEUTRAL);
  private final AtomicLong messages = new AtomicLong();
  private final OSCPortIn port;
  private final int portNumber;

  OscInputServer(int port) throws IOException {
    this.portNumber = port;
    try {
      this.port = new OSCPortInBuilder()
          .setLocalSocketAddress(new InetSocketAddress("127.0.0.1", port))
          .build();
    } catch (IOException e) {
      throw new IOException("built-in world: cannot listen for OSC on 127.0.0.1:" + port + ": " + e.getMessage(), e);
    }
    // JavaOSC 0.8: the builder's addMessageListener fails unless packet listeners were set; use the dispatcher
    this.port.getDispatcher().addListener(new OSCPatternAddressMessageSelector("/input/*"), this::accept);
    this.port.setDaemonListener(true);
    this.port.setResilient(true);
    this.port.startListening();
  }

  private void accept(OSCMessageEvent event) {
    OSCMessage m = event.getMessage();
    if (m.getArguments().isEmpty()) {
      return;
    }
    Object arg = m.getArguments().get(0);
    Number value = arg instanceof Boolean b ? (Number) (b ? 1 : 0) : arg instanceof Number n ? n : null;
    if (value != null) {
      state.updateAndGet(s -> s.with(m.getAddress(), value));
      messages.incrementAndGet();
    }
  }

  InputState state() {
    return state.get();
  }

  long messages() {
    return messages.get();
  }

  int port() {
    return portNumber;
  }

  @Override
  public void close() {
    port.stopListening();
    try {
      port.close();
    } catch (IOException e) {
      // closing a UDP socket does not fail in a way that matters here
    }
  }
}
