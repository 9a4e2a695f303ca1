package dev.ami.world.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.transport.OSCPortOut;
import dev.ami.config.SimOptions;
import dev.ami.env.Frame;
import dev.ami.support.Await;
import dev.ami.system.FreePort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("built-in world driven over OSC")
class SimWorldTest {
  private static final int SIDE = 64;
  private SimWorld world;
  private OSCPortOut osc;

  @BeforeEach
  void start() throws Exception {
    world = new SimWorld(new SimOptions(FreePort.udp(), 30, SIDE, SIDE, SIDE, "", "mpegts", "room"));
    world.start();
    osc = new OSCPortOut(new InetSocketAddress("127.0.0.1", world.oscPort()));
    await(() -> world.latest() != null);
  }

  @AfterEach
  void stop() throws Exception {
    osc.close();
    world.close();
  }

  @Test
  @DisplayName("/input/Vertical 1 walks toward the pillar ahead, which then looks wider")
  void walksForward() throws Exception {
    Pillar before = Pillar.in(freshFrame());
    World.Pose start = world.pose();
    World.Pose end = hold("/input/Vertical", () -> world.pose().x() > start.x() + 0.8);
    assertThat(end.y()).isCloseTo(start.y(), org.assertj.core.data.Offset.offset(1e-6));
    assertThat(end.heading()).isEqualTo(start.heading());
    Pillar after = Pillar.in(freshFrame());
    assertThat(after.columns()).isGreaterThan(before.columns() + 2);
    assertThat(after.centre()).isCloseTo(before.centre(), org.assertj.core.data.Offset.offset(2.0));
  }

  @Test
  @DisplayName("/input/LookHorizontal 1 turns right, so the pillar ahead slides to the left of the view")
  void turnsRight() throws Exception {
    Pillar before = Pillar.in(freshFrame());
    World.Pose start = world.pose();
    World.Pose end = hold("/input/LookHorizontal",
        () -> world.pose().heading() > Math.toRadians(10) && world.pose().heading() < Math.PI);
    assertThat(end.x()).isEqualTo(start.x());
    assertThat(end.heading()).isBetween(Math.toRadians(10), Math.toRadians(45));
    Pillar after = Pillar.in(freshFrame());
    assertThat(after.columns()).isPositive();
    assertThat(after.centre()).isLessThan(before.centre() - 5);
  }

  @Test
  @DisplayName("frames are RGB float CHW in [0,1] at the configured size, and keep coming while nothing moves")
  void frames() throws Exception {
    Frame a = freshFrame();
    assertThat(a.height()).isEqualTo(SIDE);
    assertThat(a.width()).isEqualTo(SIDE);
    assertThat(a.chw()).hasSize(3 * SIDE * SIDE);
    for (float v : a.chw()) {
      assertThat(v).isBetween(0f, 1f);
    }
    Frame b = freshFrame();
    assertThat(b.sequence()).isGreaterThan(a.sequence());
    assertThat(b.chw()).containsExactly(a.chw());
  }

  /** The yellow pillar standing in front of the start position, as seen in the row at eye level. */
  record Pillar(int columns, double centre) {
    static Pillar in(Frame f) {
      int row = f.height() / 2;
      int plane = f.height() * f.width();
      int count = 0;
      double sum = 0;
      for (int x = 0; x < f.width(); x++) {
        int i = row * f.width() + x;
        float r = f.chw()[i];
        float g = f.chw()[plane + i];
        float b = f.chw()[2 * plane + i];
        if (r > 0.4f && g > 0.5f * r && b < 0.25f * r) { // yellow; the tan wall has more blue
          count++;
          sum += x;
        }
      }
      return new Pillar(count, count == 0 ? Double.NaN : sum / count);
    }
  }

  private Frame freshFrame() throws Exception {
    Frame first = world.latest();
    long seq = first == null ? -1 : first.sequence();
    Frame[] next = new Frame[1];
    await(() -> {
      next[0] = world.latest();
      return next[0] != null && next[0].sequence() > seq + 1;
    });
    return next[0];
  }

  /** Sends {@code address 1} until the condition holds, then {@code address 0}; returns the pose at rest. */
  private World.Pose hold(String address, BooleanSupplier until) throws Exception {
    send(address, 1f);
    await(until);
    send(address, 0f);
    await(() -> Float.valueOf(0f).equals(world.input().valueOf(address)));
    return world.pose();
  }

  private void send(String address, float value) throws Exception {
    osc.send(new OSCMessage(address, List.of(value)));
  }

  private static void await(BooleanSupplier condition) throws Exception {
    Await.until(Duration.ofSeconds(10), condition::getAsBoolean, "the world's condition");
  }
}
