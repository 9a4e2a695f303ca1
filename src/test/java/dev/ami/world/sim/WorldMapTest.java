package dev.ami.world.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.config.SimOptions;
import dev.ami.osc.InputState;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the built-in world's maps and coverage")
class WorldMapTest {
  /** Floor cells reachable from the avatar's start, walking between 4-neighbours. */
  private static int reachable(WorldMap map) {
    Set<Integer> seen = new HashSet<>();
    ArrayDeque<int[]> todo = new ArrayDeque<>();
    todo.add(new int[] {(int) map.startX(), (int) map.startY()});
    while (!todo.isEmpty()) {
      int[] c = todo.poll();
      if (map.wall(c[0], c[1]) != 0 || !seen.add(c[1] * map.width + c[0])) {
        continue;
      }
      todo.add(new int[] {c[0] + 1, c[1]});
      todo.add(new int[] {c[0] - 1, c[1]});
      todo.add(new int[] {c[0], c[1] + 1});
      todo.add(new int[] {c[0], c[1] - 1});
    }
    return seen.size();
  }

  @Test
  @DisplayName("rooms: nine rooms of their own walls and floors, every floor cell reachable through the doorways")
  void roomsAreConnected() {
    WorldMap rooms = WorldMap.named("rooms");
    assertThat(rooms.width).isEqualTo(40);
    assertThat(reachable(rooms)).as("nothing is walled off").isEqualTo(rooms.floorCells());
    assertThat(rooms.floorCells()).isGreaterThan(1000);
    Set<Integer> wallTypes = new HashSet<>();
    Set<Integer> floors = new HashSet<>();
    for (int r = 0; r < 9; r++) {
      int x0 = (r % 3) * 13;
      int y0 = (r / 3) * 13;
      wallTypes.add(rooms.wall(x0, y0 + 1)); // the room's west wall
      floors.add(rooms.floorRgb(x0 + 1, y0 + 1));
    }
    assertThat(wallTypes).as("each room's walls look different").hasSize(9);
    assertThat(floors).as("each room's floor looks different").hasSize(9);
    assertThat(rooms.things()).hasSize(18).allSatisfy(t -> assertThat(rooms.blocked(t.x(), t.y())).isFalse());
    assertThat(reachable(WorldMap.named("room"))).isEqualTo(WorldMap.named("room").floorCells());
    assertThatThrownBy(() -> WorldMap.named("maze")).hasMessageContaining("room, rooms");
  }

  @Test
  @DisplayName("coverage counts distinct cells once, and the last minute only those stood in within it")
  void coverage() {
    WorldMap room = WorldMap.named("room");
    Coverage c = new Coverage(room);
    long t0 = System.nanoTime();
    c.visit(2.5, 7.5, t0);
    c.visit(2.9, 7.1, t0 + 1); // the same cell
    c.visit(3.5, 7.5, t0 + 2);
    assertThat(c.visited()).isEqualTo(2);
    assertThat(c.lastMinute(t0 + 3)).isEqualTo(2);
    c.visit(4.5, 7.5, t0 + 61_000_000_000L);
    assertThat(c.visited()).isEqualTo(3);
    assertThat(c.lastMinute(t0 + 61_000_000_000L)).as("the first two are more than a minute old").isEqualTo(1);
    assertThat(c.floorCells()).isEqualTo(room.floorCells());
  }

  @Test
  @DisplayName("a seed draws the start: a cell of the start room clear of walls, any heading; the same seed, the same start")
  void seededStart() {
    WorldMap rooms = WorldMap.named("rooms");
    Set<String> starts = new HashSet<>();
    for (long seed = 1; seed <= 50; seed++) {
      World.Pose p = rooms.start(seed);
      assertThat(rooms.start(seed)).isEqualTo(p);
      int x = (int) Math.floor(p.x());
      int y = (int) Math.floor(p.y());
      assertThat(rooms.roomOf(x, y)).as("seed %d starts in room 0", seed).isZero();
      assertThat(p.x() - x).isEqualTo(0.5);
      for (int dy = -1; dy <= 1; dy++) {
        for (int dx = -1; dx <= 1; dx++) {
          assertThat(rooms.wall(x + dx, y + dy)).as("seed %d: no wall next to the start", seed).isZero();
        }
      }
      assertThat(p.heading()).isBetween(0.0, 2 * Math.PI);
      starts.add(x + "," + y);
    }
    assertThat(starts).as("fifty seeds start in many places").hasSizeGreaterThan(20);
    assertThat(rooms.roomCount()).isEqualTo(9);
    assertThat(WorldMap.named("room").roomCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("coverage counts rooms entered, and the longest stretches without a new cell, the one still going too")
  void stalls() {
    WorldMap rooms = WorldMap.named("rooms");
    Coverage c = new Coverage(rooms);
    long s = 1_000_000_000L;
    c.visit(6.5, 6.5, 100 * s); // room 0: the first cell starts the clock
    c.visit(6.5, 6.5, 130 * s); // nothing new for 30 s
    c.visit(7.5, 6.5, 140 * s); // new after 40 s
    assertThat(c.stalls(140 * s)).isEqualTo(new Coverage.Stalls(40 * s, 40 * s));
    c.visit(15.5, 6.5, 145 * s); // room 1
    assertThat(c.roomsVisited()).isEqualTo(2);
    assertThat(c.roomsTotal()).isEqualTo(9);
    assertThat(c.stalls(245 * s)).as("100 s since the last new cell, still going").isEqualTo(
        new Coverage.Stalls(100 * s, 100 * s));

    WorldMap room = WorldMap.named("room");
    Coverage one = new Coverage(room);
    one.visit(2.5, 7.5, 0);
    one.visit(3.5, 7.5, 10 * s); // the only room is entered: later stalls began with nothing left to open
    one.visit(4.5, 7.5, 70 * s);
    assertThat(one.stalls(200 * s)).as("longest 130 s; none began while a room was unvisited after the first")
        .isEqualTo(new Coverage.Stalls(130 * s, 0));
  }

  @Test
  @DisplayName("chance: the same seed walks the same way; a persistent walk covers more than a jittering one")
  void chanceWalks() {
    WorldMap rooms = WorldMap.named("rooms");
    long[] a = ChanceWalk.run(rooms, 7, ChanceWalk.Policy.UNIFORM, 3, 10, 30);
    assertThat(ChanceWalk.run(rooms, 7, ChanceWalk.Policy.UNIFORM, 3, 10, 30)).containsExactly(a);
    assertThat(a).hasSize(3);
    assertThat(a[0]).isPositive();
    assertThat(a[1]).isGreaterThanOrEqualTo(a[0]);
    assertThat(a[2]).isGreaterThanOrEqualTo(a[1]);
    long uniform = 0;
    long persistent = 0;
    for (long seed = 1; seed <= 40; seed++) {
      uniform += ChanceWalk.run(rooms, seed, ChanceWalk.Policy.UNIFORM, 5, 10, 30)[4];
      persistent += ChanceWalk.run(rooms, seed, ChanceWalk.Policy.PERSISTENT, 5, 10, 30)[4];
    }
    assertThat(persistent).as("held actions travel further than ones redrawn every tick").isGreaterThan(uniform);
  }

  @Test
  @DisplayName("chance's stepper is the built-in world in lockstep: the same actions from the same start cover the "
      + "same cells; a replay with the live world's timing drawn in covers other ones")
  void chanceStepperIsTheWorld() throws Exception {
    WorldMap rooms = WorldMap.named("rooms");
    int[] actions = new java.util.SplittableRandom(5).ints(2 * 600, 0, dev.ami.env.Action.COUNT).toArray();
    SimWorld world = new SimWorld(new SimOptions(0, 30, 16, 16, 16, "", "mpegts", "rooms", 9L, 10));
    world.start();
    long[] lockstep = new long[2];
    try {
      for (int t = 0; t < actions.length; t++) {
        world.actuator().act(dev.ami.env.Action.fromIndex(actions[t]));
        if ((t + 1) % 600 == 0) {
          lockstep[(t + 1) / 600 - 1] = world.report().cellsVisited();
        }
      }
    } finally {
      world.close();
    }
    assertThat(ChanceWalk.replay(rooms, 9, actions, null, 2, 10, 30)).containsExactly(lockstep);
    assertThat(ChanceWalk.replay(rooms, 9, actions, null, 5, 10, 30)).as("no longer than the actions").hasSize(2);
    boolean anyOther = false;
    for (int i = 0; i < 5 && !anyOther; i++) {
      anyOther = !java.util.Arrays.equals(lockstep,
          ChanceWalk.replay(rooms, 9, actions, new java.util.SplittableRandom(i), 2, 10, 30));
    }
    assertThat(anyOther).as("a step's difference at a wall sends the avatar elsewhere").isTrue();
  }

  @Test
  @DisplayName("walking forward in the rooms map crosses from one room into the next through a doorway")
  void doorwaysLetThrough() {
    World world = new World(WorldMap.named("rooms"));
    world.place(8.5, 6.5, 0); // room 0, level with the doorway to the east (x = 13, y = 6..7)
    InputState forward = InputState.NEUTRAL.with("/input/Vertical", 1);
    for (int i = 0; i < 300 && world.pose().x() < 14.5; i++) {
      world.step(forward, 1.0 / 30);
    }
    assertThat(world.pose().x()).as("through the doorway into room 1").isGreaterThan(14.5);
  }
}
