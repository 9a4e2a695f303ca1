package dev.ami.world.sim;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Draws the first-person view of a {@link World} by ray casting, in pure Java: textured walls (DDA per
 * column), a tiled floor, a sky, and billboarded objects behind a depth buffer; distance fog gives depth.
 * Writes packed RGB bytes, row-major, so the picture can go straight to OpenCV and FFmpeg.
 */
public final class Renderer {
  private static final double PLANE = 0.66; // tan(half field of view): about 66 degrees
  private static final double FOG = 0.09;
  private static final double THING_HEIGHT = 0.75;

  private final int width;
  private final int height;
  private final double focal;
  private final double[] depth;
  private final double[] rayX;
  private final double[] rayY;

  public Renderer(int width, int height) {
    this.width = width;
    this.height = height;
    this.focal = width / (2 * PLANE);
    this.depth = new double[width];
    this.rayX = new double[width];
    this.rayY = new double[width];
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Renders into {@code rgb}, which holds width*height*3 bytes. */
  public void render(World world, byte[] rgb) {
    World.Pose p = world.pose();
    double dirX = Math.cos(p.heading());
    double dirY = Math.sin(p.heading());
    double planeX = -dirY * PLANE;
    double planeY = dirX * PLANE;
    double camZ = 0.5 + p.height();
    double horizon = height / 2.0;
    drawSkyAndFloor(world.map, rgb, p, dirX, dirY, planeX, planeY, camZ, horizon);
    for (int col = 0; col < width; col++) {
      double camX = 2.0 * (col + 0.5) / width - 1;
      rayX[col] = dirX + planeX * camX;
      rayY[col] = dirY + planeY * camX;
      castWall(world.map, rgb, p, col, camZ, horizon);
    }
    drawThings(world.map, rgb, p, dirX, dirY, planeX, planeY, camZ, horizon);
  }

  private void drawSkyAndFloor(WorldMap map, byte[] rgb, World.Pose p, double dirX, double dirY, double planeX, double planeY,
                               double camZ, double horizon) {
    double leftX = dirX - planeX;
    double leftY = dirY - planeY;
    for (int row = 0; row < height; row++) {
      double below = row + 0.5 - horizon;
      if (below <= 0) {
        double t = (row + 0.5) / Math.max(1.0, horizon);
        int sky = mix(0x5A8CD2, 0xC8DCF0, t);
        for (int col = 0; col < width; col++) {
          put(rgb, row, col, sky, 1.0);
        }
        continue;
      }
      double dist = camZ * focal / below;
      double fog = Math.exp(-FOG * dist);
      double stepX = dist * 2 * planeX / width;
      double stepY = dist * 2 * planeY / width;
      double fx = p.x() + dist * leftX + stepX * 0.5;
      double fy = p.y() + dist * leftY + stepY * 0.5;
      for (int col = 0; col < width; col++) {
        put(rgb, row, col, map.floorRgb((int) Math.floor(fx), (int) Math.floor(fy)), fog);
        fx += stepX;
        fy += stepY;
      }
    }
  }

  private void castWall(WorldMap map, byte[] rgb, World.Pose p, int col, double camZ, double horizon) {
    double rx = rayX[col];
    double ry = rayY[col];
    int cellX = (int) Math.floor(p.x());
    int cellY = (int) Math.floor(p.y());
    double deltaX = rx == 0 ? Double.MAX_VALUE : Math.abs(1 / rx);
    double deltaY = ry == 0 ? Double.MAX_VALUE : Math.abs(1 / ry);
    int stepX = rx < 0 ? -1 : 1;
    int stepY = ry < 0 ? -1 : 1;
    double sideX = rx < 0 ? (p.x() - cellX) * deltaX : (cellX + 1 - p.x()) * deltaX;
    double sideY = ry < 0 ? (p.y() - cellY) * deltaY : (cellY + 1 - p.y()) * deltaY;
    boolean ySide = false;
    int type = 0;
    for (int i = 0; i < 64 && type == 0; i++) {
      if (sideX < sideY) {
        sideX += deltaX;
        cellX += stepX;
        ySide = false;
      } else {
        sideY += deltaY;
        cellY += stepY;
        ySide = true;
      }
      type = map.wall(cellX, cellY);
    }
    double dist = Math.max(1e-4, ySide ? sideY - deltaY : sideX - deltaX);
    depth[col] = dist;
    double hit = ySide ? p.x() + dist * rx : p.y() + dist * ry;
    double u = hit - Math.floor(hit);
    int top = (int) Math.ceil(horizon - (1 - camZ) * focal / dist - 0.5);
    int bottom = (int) Math.floor(horizon + camZ * focal / dist - 0.5);
    double shade = Math.exp(-FOG * dist) * (ySide ? 0.75 : 1.0);
    int base = WorldMap.wallRgb(type);
    for (int row = Math.max(0, top); row <= Math.min(height - 1, bottom); row++) {
      double v = 1 - (camZ + (horizon - row - 0.5) * dist / focal); // 0 at the top of the wall
      put(rgb, row, col, base, shade * texture(type, u, v));
    }
  }

  /** Brick-like courses with mortar lines; each wall type has its own course count. */
  private static double texture(int type, double u, double v) {
    int courses = 2 + type;
    double cv = v * courses;
    int course = (int) Math.floor(cv);
    double cu = u * 2 + (course % 2 == 0 ? 0 : 0.5);
    boolean mortar = cv - course < 0.08 || cu - Math.floor(cu) < 0.05;
    return mortar ? 0.55 : 0.9 + 0.1 * ((course * 7 + (int) Math.floor(cu) * 3) % 3) / 2.0;
  }

  private void drawThings(WorldMap map, byte[] rgb, World.Pose p, double dirX, double dirY, double planeX, double planeY,
                          double camZ, double horizon) {
    double invDet = 1 / (planeX * dirY - dirX * planeY);
    WorldMap.Thing[] things = map.things().toArray(new WorldMap.Thing[0]);
    Arrays.sort(things, Comparator.comparingDouble(
        (WorldMap.Thing t) -> (t.x() - p.x()) * (t.x() - p.x()) + (t.y() - p.y()) * (t.y() - p.y())).reversed());
    for (WorldMap.Thing t : things) {
      double sx = t.x() - p.x();
      double sy = t.y() - p.y();
      double across = invDet * (dirY * sx - dirX * sy);
      double ahead = invDet * (-planeY * sx + planeX * sy);
      if (ahead <= 0.1) {
        continue;
      }
      double centre = width / 2.0 * (1 + across / ahead);
      double half = t.radius() * focal / ahead;
      int top = (int) Math.ceil(horizon - (THING_HEIGHT - camZ) * focal / ahead - 0.5);
      int bottom = (int) Math.floor(horizon + camZ * focal / ahead - 0.5);
      double fog = Math.exp(-FOG * ahead);
      for (int col = (int) Math.max(0, Math.ceil(centre - half)); col < Math.min(width, centre + half); col++) {
        if (ahead >= depth[col]) {
          continue;
        }
        double off = (col + 0.5 - centre) / half;
        double light = Math.sqrt(Math.max(0, 1 - off * off)) * 0.8 + 0.2;
        for (int row = Math.max(0, top); row <= Math.min(height - 1, bottom); row++) {
          put(rgb, row, col, t.rgb(), fog * light);
        }
      }
    }
  }

  private void put(byte[] rgb, int row, int col, int colour, double scale) {
    int i = (row * width + col) * 3;
    rgb[i] = (byte) Math.min(255, (int) (((colour >> 16) & 0xFF) * scale));
    rgb[i + 1] = (byte) Math.min(255, (int) (((colour >> 8) & 0xFF) * scale));
    rgb[i + 2] = (byte) Math.min(255, (int) ((colour & 0xFF) * scale));
  }

  private static int mix(int a, int b, double t) {
    double s = Math.max(0, Math.min(1, t));
    int r = (int) (((a >> 16) & 0xFF) * (1 - s) + ((b >> 16) & 0xFF) * s);
    int g = (int) (((a >> 8) & 0xFF) * (1 - s) + ((b >> 8) & 0xFF) * s);
    int bl = (int) ((a & 0xFF) * (1 - s) + (b & 0xFF) * s);
    return (r << 16) | (g << 8) | bl;
  }
}
