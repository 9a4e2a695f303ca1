package dev.ami.osc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.illposed.osc.OSCMessage;
import dev.ami.env.Action;
import dev.ami.support.Await;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OSC actuator on VRChat's input API, received by a real OSC server on loopback")
class OscActuatorTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private OscRecorder vrchat;

  @BeforeEach
  void listen() throws Exception {
    vrchat = new OscRecorder();
  }

  @AfterEach
  void stop() throws Exception {
    vrchat.close();
  }

  @Test
  @DisplayName("axes arrive as floats -1/0/1 and buttons as ints 0/1 on VRChat's exact addresses")
  void addressesAndTypes() throws Exception {
    try (OscActuator osc = OscActuator.open("127.0.0.1", vrchat.port(), 60_000, 0)) {
      osc.act(new Action(1, -1, 1, 1, 1));
      assertThat(vrchat.await(r -> Map.<String, Object>of(
          "/input/Vertical", 1f, "/input/Horizontal", -1f, "/input/LookHorizontal", 1f,
          "/input/Jump", 1, "/input/Run", 1).equals(r.current()), WAIT)).isTrue();
    }
    for (OSCMessage m : vrchat.messages()) {
      assertThat(m.getAddress()).isIn(OscAddresses.ALL);
      assertThat(m.getArguments()).hasSize(1);
      Object v = m.getArguments().get(0);
      if (OscAddresses.isAxis(m.getAddress())) {
        assertThat(v).isInstanceOf(Float.class).isIn(-1f, 0f, 1f);
      } else {
        assertThat(v).isInstanceOf(Integer.class).isIn(0, 1);
      }
    }
  }

  @Test
  @DisplayName("only inputs that changed are sent between full refreshes")
  void sendsOnlyChanges() throws Exception {
    try (OscActuator osc = OscActuator.open("127.0.0.1", vrchat.port(), 60_000, 0)) {
      osc.act(new Action(1, 0, 0, 0, 0));
      // the opening full send (all five inputs) must be through before counting: its packets can still be in
      // flight when the Vertical update has already arrived
      assertThat(vrchat.await(r -> Float.valueOf(1f).equals(r.current().get("/input/Vertical"))
          && r.current().keySet().containsAll(OscAddresses.ALL), WAIT)).isTrue();
      long before = osc.sentMessages();
      vrchat.clear();
      osc.act(new Action(1, 0, -1, 0, 0));
      assertThat(vrchat.await(r -> Float.valueOf(-1f).equals(r.current().get("/input/LookHorizontal")), WAIT))
          .isTrue();
      osc.act(new Action(1, 0, -1, 0, 0)); // no change: nothing to send
      assertThat(vrchat.messages()).extracting(OSCMessage::getAddress).containsExactly("/input/LookHorizontal");
      // the sender counts after the send returns
      Await.until(WAIT, () -> osc.sentMessages() - before >= 1, "the sender counts its send");
      assertThat(osc.sentMessages() - before).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("every input is sent again each refresh period, so a lost packet cannot leave one stuck")
  void refreshes() throws Exception {
    try (OscActuator osc = OscActuator.open("127.0.0.1", vrchat.port(), 100, 0)) {
      osc.act(new Action(0, 1, 0, 0, 1));
      assertThat(vrchat.await(r -> r.messages().stream()
          .filter(m -> m.getAddress().equals("/input/Jump")).count() >= 3, WAIT)).isTrue();
    }
  }

  @Test
  @DisplayName("neutral (pause) and close (shutdown) put every input back to 0")
  void neutralAndClose() throws Exception {
    OscActuator osc = OscActuator.open("127.0.0.1", vrchat.port(), 60_000, 0);
    osc.act(new Action(-1, 1, -1, 1, 1));
    assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).isTrue();
    osc.neutral();
    assertThat(vrchat.await(OscRecorder::allZero, WAIT)).isTrue();
    osc.act(new Action(1, 1, 1, 0, 1));
    assertThat(vrchat.await(r -> !r.allZero(), WAIT)).isTrue();
    osc.close(); // waits until the zeros are on the wire
    assertThat(vrchat.await(OscRecorder::allZero, WAIT)).isTrue();
    int after = vrchat.messages().size();
    osc.act(new Action(1, 1, 1, 1, 1)); // closed: ignored
    assertThat(vrchat.messagesSentBefore()).hasSize(after);
  }

  @Test
  @DisplayName("smoothing moves axes gradually toward the target, but neutral is immediate")
  void smoothing() throws Exception {
    try (OscActuator osc = OscActuator.open("127.0.0.1", vrchat.port(), 60_000, 200)) {
      osc.act(new Action(1, 0, 0, 0, 0));
      assertThat(vrchat.await(r -> Float.valueOf(1f).equals(r.current().get("/input/Vertical")), WAIT)).isTrue();
      List<Float> ramp = vrchat.messages().stream().filter(m -> m.getAddress().equals("/input/Vertical"))
          .map(m -> (Float) m.getArguments().get(0)).toList();
      assertThat(ramp).anyMatch(v -> v > 0f && v < 1f);
      assertThat(ramp).isSorted();
      osc.neutral();
      assertThat(vrchat.await(OscRecorder::allZero, WAIT)).isTrue();
    }
  }

  @Test
  @DisplayName("out-of-range input values are rejected before they reach the wire")
  void validates() {
    assertThatThrownBy(() -> new InputState(1.5f, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InputState(0, Float.NaN, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new InputState(0, 0, 0, 2, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("after close nothing but zeros reaches the wire, even while another thread keeps acting (SIGTERM "
      + "while the agent ticks)")
  void closeWinsOverLateActions() throws Exception {
    for (int round = 0; round < 60; round++) {
      vrchat.clear();
      // a short refresh: the sender also runs on its own every 50 ms, the way a refresh races a close. The
      // action never changes, so only refreshes reach the wire and the receiver is not flooded (UDP would drop)
      OscActuator osc = OscActuator.open("127.0.0.1", vrchat.port(), 50, 0);
      java.util.concurrent.atomic.AtomicBoolean acting = new java.util.concurrent.atomic.AtomicBoolean(true);
      // several threads, so that at the moment of the close some are likely preempted between the actuator's
      // "closed?" check and its update of the desired state: the window of the race
      List<Thread> agents = new java.util.ArrayList<>();
      for (int t = 0; t < 6; t++) {
        Thread agent = new Thread(() -> {
          while (acting.get()) {
            osc.act(new Action(1, 1, 1, 1, 1));
          }
        });
        agent.start();
        agents.add(agent);
      }
      assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).isTrue();
      osc.close(); // the agent thread is still acting
      acting.set(false);
      for (Thread agent : agents) {
        agent.join();
      }
      // the receiver may still be working through a backlog of datagrams: wait until it has seen the zeros and
      // nothing more has come for 100 ms
      assertThat(vrchat.await(OscRecorder::allZero, WAIT)).as("round %d: the zeros arrive", round).isTrue();
      Await.until(WAIT, () -> {
        int seen = vrchat.messages().size();
        Thread.sleep(100);
        return seen == vrchat.messages().size();
      }, "the receiver's backlog drains");
      List<OSCMessage> all = vrchat.messages();
      int lastNonZero = -1;
      int firstZeroRunOfFive = -1;
      for (int i = 0; i < all.size(); i++) {
        Object v = all.get(i).getArguments().get(0);
        if (!(v.equals(0f) || v.equals(0))) {
          lastNonZero = i;
        }
      }
      List<String> tail = all.subList(Math.max(0, all.size() - 12), all.size()).stream()
          .map(m -> m.getAddress() + "=" + m.getArguments().get(0)).toList();
      assertThat(vrchat.allZero()).as("round %d: every input ends at 0; sent %d, failed %d, last: %s", round,
          osc.sentMessages(), osc.failedSends(), tail).isTrue();
      assertThat(all.subList(lastNonZero + 1, all.size())).as("round %d: the zeros come after the last action",
          round).hasSizeGreaterThanOrEqualTo(5);
    }
  }
}
