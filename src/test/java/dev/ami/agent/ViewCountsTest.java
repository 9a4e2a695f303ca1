package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ami.data.Pixels;
import dev.ami.env.Action;
import dev.ami.osc.InputState;
import dev.ami.world.sim.Renderer;
import dev.ami.world.sim.World;
import dev.ami.world.sim.WorldMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The lifelong counts of hashed views: the hash and the bonus by hand, then what they tell in the built-in rooms. */
@DisplayName("lifelong view counts (SimHash)")
class ViewCountsTest {

  @Test
  @DisplayName("by hand: the code is the signs of the projections of the centred view; the bonus 1, 1/√2, 1/√3")
  void byHand() {
    ViewCounts counts = new ViewCounts(3, 2, 11);
    float[] bright = {1, 1};
    float[] dark = {0, 0};
    // centred, the two views are +0.5·(1,1) and −0.5·(1,1): every projection's sign flips, so the codes are
    // complements in 3 bits
    assertThat(counts.code(bright) ^ counts.code(dark)).isEqualTo(0b111);
    assertThat(counts.observe(bright)).isEqualTo(1.0);
    assertThat(counts.observe(bright)).isCloseTo(1 / Math.sqrt(2), within(1e-12));
    assertThat(counts.observe(new float[] {0.9f, 0.9f})).as("a view near the first shares its code")
        .isCloseTo(1 / Math.sqrt(3), within(1e-12));
    assertThat(counts.observe(dark)).as("a view unlike it starts its own count").isEqualTo(1.0);
    assertThat(counts.codesSeen()).isEqualTo(2);
    assertThat(new ViewCounts(3, 2, 11).code(bright)).as("the same seed, the same hash").isEqualTo(counts.code(bright));
    assertThatThrownBy(() -> new ViewCounts(0, 2, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ViewCounts(ViewCounts.MAX_BITS + 1, 2, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("over a persistent random walk through the rooms, a view in a new room earns twice one in a known room")
  void newRoomsOutscoreKnownOnes() {
    WorldMap map = WorldMap.named("rooms");
    World world = new World(map, map.start(1));
    Renderer renderer = new Renderer(84, 84);
    byte[] hwc = new byte[84 * 84 * 3];
    byte[] chwBytes = new byte[hwc.length];
    float[] chw = new float[hwc.length];
    float[] embedding = new float[FrameEmbedding.size()];
    ViewCounts counts = new ViewCounts(10, FrameEmbedding.size(), 3);
    SplittableRandom random = new SplittableRandom(5);
    Map<Integer, Long> entered = new HashMap<>();
    Set<Integer> rooms = new HashSet<>();
    double newSum = 0;
    double knownSum = 0;
    int newTicks = 0;
    int knownTicks = 0;
    int action = 0;
    for (long tick = 0; tick < 30 * 60 * 10; tick++) { // 30 minutes at 10 Hz, the world's 30 steps a second
      if (tick == 0 || random.nextInt(10) == 0) {
        action = random.nextInt(Action.COUNT);
      }
      InputState in = InputState.of(Action.fromIndex(action));
      for (int s = 0; s < 3; s++) {
        world.step(in, 1.0 / 30);
      }
      renderer.render(world, hwc);
      toChw(hwc, chwBytes);
      Pixels.toFloats(chwBytes, chw, 0);
      double bonus = counts.observe(FrameEmbedding.embed(chw, 84, 84, embedding));
      World.Pose p = world.pose();
      int room = map.roomOf((int) p.x(), (int) p.y());
      rooms.add(room);
      Long first = entered.get(room);
      if (first == null) { // the first tick in this room
        first = tick;
        entered.put(room, first);
      }
      long since = tick - first;
      if (since < 300) {
        newSum += bonus;
        newTicks++;
      } else if (since > 6000) {
        knownSum += bonus;
        knownTicks++;
      }
    }
    assertThat(rooms.size()).as("the walk visits several rooms").isGreaterThanOrEqualTo(4);
    double newMean = newSum / newTicks;
    double knownMean = knownSum / knownTicks;
    assertThat(newMean).as("mean bonus, first 30 s in a room (%d ticks) against a room known for 10 minutes (%d)",
        newTicks, knownTicks).isGreaterThan(2 * knownMean);
  }

  /** The renderer's interleaved RGB as the agent's frames hold it: channel planes. */
  private static void toChw(byte[] hwc, byte[] chw) {
    int plane = hwc.length / 3;
    for (int i = 0; i < plane; i++) {
      chw[i] = hwc[3 * i];
      chw[plane + i] = hwc[3 * i + 1];
      chw[2 * plane + i] = hwc[3 * i + 2];
    }
  }
}
