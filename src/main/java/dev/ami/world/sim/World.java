package dev.ami.world.sim;

import dev.ami.osc.InputState;

/**
 * The avatar and its physics: VRChat's inputs move it forward/back (Vertical), sideways (Horizontal), turn
 * it (LookHorizontal, positive = right), make it jump and run. Walls stop it. Not thread-safe: the world's
 * thread owns it.
 */
public final class World {
  static final double WALK_SPEED = 1.6;   // cells per second
  static final double RUN_FACTOR = 2.0;
  static final double TURN_SPEED = Math.toRadians(120); // radians per second at LookHorizontal 1
  static final double JUMP_SPEED = 3.0;
  static final double GRAVITY = 9.0;
  private static final double BODY_RADIUS = 0.2;

  final WorldMap map;
  private double x;
  private double y;
  private double heading; // radians; 0 looks along +x, positive turns right (toward +y)
  private double height;  // camera lift while jumping, in cells
  private double lift;    // vertical velocity

  /** The original single room. */
  public World() {
    this(WorldMap.named("room"));
  }

  public World(WorldMap map) {
    this(map, new Pose(map.startX(), map.startY(), 0, 0));
  }

  /** A world whose avatar starts at {@code start} (see {@link WorldMap#start(long)}). */
  public World(WorldMap map, Pose start) {
    this.map = map;
    place(start.x(), start.y(), start.heading());
  }

  /** Where the avatar stands and looks. */
  public record Pose(double x, double y, double heading, double height) {
  }

  public WorldMap map() {
    return map;
  }

  public Pose pose() {
    return new Pose(x, y, heading, height);
  }

  /** Places the avatar (tests, resets). */
  public void place(double x, double y, double heading) {
    this.x = x;
    this.y = y;
    this.heading = heading;
    this.height = 0;
    this.lift = 0;
  }

  /** Advances the world by {@code dt} seconds under the given inputs. */
  public void step(InputState in, double dt) {
    heading = normalise(heading + in.lookHorizontal() * TURN_SPEED * dt);
    double speed = WALK_SPEED * (in.run() == 1 ? RUN_FACTOR : 1.0) * dt;
    double cos = Math.cos(heading);
    double sin = Math.sin(heading);
    // Horizontal +1 strafes right, which is the heading turned a quarter to the right
    double dx = (cos * in.vertical() - sin * in.horizontal()) * speed;
    double dy = (sin * in.vertical() + cos * in.horizontal()) * speed;
    moveAxis(dx, 0);
    moveAxis(0, dy);
    if (in.jump() == 1 && height == 0 && lift == 0) {
      lift = JUMP_SPEED;
    }
    if (lift != 0 || height > 0) {
      height += lift * dt;
      lift -= GRAVITY * dt;
      if (height <= 0) {
        height = 0;
        lift = 0;
      }
    }
  }

  private void moveAxis(double dx, double dy) {
    double nx = x + dx;
    double ny = y + dy;
    double rx = nx + Math.signum(dx) * BODY_RADIUS;
    double ry = ny + Math.signum(dy) * BODY_RADIUS;
    if (!map.blocked(rx, ry)) {
      x = nx;
      y = ny;
    }
  }

  private static double normalise(double a) {
    double twoPi = 2 * Math.PI;
    return ((a % twoPi) + twoPi) % twoPi;
  }
}
