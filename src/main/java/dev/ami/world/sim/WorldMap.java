package dev.ami.world.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in world's floor plan: a grid of wall cells (the digit picks the wall's colour and texture, '.' is
 * open floor), a floor colour per room, round objects standing on the floor, and where the avatar starts.
 *
 * <ul>
 *   <li>{@code room}: one 16×16 room, the original world;</li>
 *   <li>{@code rooms}: a 3×3 block of 12×12 rooms joined by two-cell doorways, each with its own walls, floor
 *       and objects. At the avatar's walking speed a random walk stays in one or two rooms for minutes, so
 *       the number of cells visited tells directed exploration from chance.</li>
 * </ul>
 */
public final class WorldMap {
  /** A pillar-like object seen as a billboard. */
  record Thing(double x, double y, double radius, int rgb) {
  }

  /** Base colours of wall types 1..9. */
  private static final int[] WALL_RGB = {0, 0x8C8C96, 0xB0402C, 0x3C8C3C, 0x3C5AB4, 0xC8A050, 0x8A3C96, 0x2CA0A0,
      0xD07828, 0x50505A};
  /** Floor checker pairs per room. */
  private static final int[][] FLOOR_RGB = {{0x6E6450, 0x9A8C6E}, {0x4E5A6E, 0x7A8AA0}, {0x5A6E4E, 0x88A078},
      {0x6E4E4E, 0xA07A7A}, {0x64646E, 0x9696A0}, {0x6E6A40, 0xA09A60}, {0x4E6E6A, 0x78A09A}, {0x6A4E6E, 0x9A78A0},
      {0x5A5A5A, 0x8C8C8C}};
  private static final int ROOM = 12;

  private final String name;
  private final char[][] cells;
  private final int[][] roomOf;
  private final List<Thing> things;
  private final double startX;
  private final double startY;
  private final int rooms;
  final int width;
  final int height;

  private WorldMap(String name, char[][] cells, int[][] roomOf, List<Thing> things, double startX, double startY) {
    this.name = name;
    this.cells = cells;
    this.roomOf = roomOf;
    this.things = List.copyOf(things);
    this.startX = startX;
    this.startY = startY;
    this.height = cells.length;
    this.width = cells[0].length;
    int most = 0;
    for (int[] row : roomOf) {
      for (int r : row) {
        most = Math.max(most, r);
      }
    }
    this.rooms = most + 1;
  }

  /** The map called {@code name} ({@code room} or {@code rooms}). */
  public static WorldMap named(String name) {
    return switch (name) {
      case "room" -> room();
      case "rooms" -> rooms();
      default -> throw new IllegalArgumentException("unknown map " + name + " (room, rooms)");
    };
  }

  private static WorldMap room() {
    String[] rows = {
        "1111111111111111",
        "1..............1",
        "1..2222....33..1",
        "1..2.......3...1",
        "1..2...........1",
        "1......44......1",
        "1......44...5..1",
        "1..............1",
        "1..5.......2...1",
        "1..5.......2...1",
        "1..........2...1",
        "1...333........1",
        "1.........4444.1",
        "1..............1",
        "1..............1",
        "1111111111111111",
    };
    char[][] cells = new char[rows.length][];
    for (int y = 0; y < rows.length; y++) {
      cells[y] = rows[y].toCharArray();
    }
    List<Thing> things = List.of(new Thing(5.5, 7.5, 0.3, 0xE8C02A), new Thing(13.5, 3.5, 0.3, 0x30D0E0),
        new Thing(8.5, 10.5, 0.3, 0xF050B0), new Thing(3.5, 13.5, 0.3, 0xF0F0F0));
    return new WorldMap("room", cells, new int[rows.length][rows[0].length()], things, 2.5, 7.5);
  }

  private static WorldMap rooms() {
    int side = 3 * (ROOM + 1) + 1;
    char[][] cells = new char[side][side];
    int[][] roomOf = new int[side][side];
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int rx = Math.min(2, x / (ROOM + 1));
        int ry = Math.min(2, y / (ROOM + 1));
        int room = ry * 3 + rx;
        roomOf[y][x] = room;
        boolean wall = x % (ROOM + 1) == 0 || y % (ROOM + 1) == 0;
        cells[y][x] = wall ? (char) ('1' + room) : '.';
      }
    }
    int mid = ROOM / 2; // doorways: two cells wide, in the middle of every inner wall
    for (int r = 0; r < 3; r++) {
      for (int k = 1; k < 3; k++) {
        int wallAt = k * (ROOM + 1);
        int along = r * (ROOM + 1) + mid;
        for (int d = 0; d < 2; d++) {
          cells[along + d][wallAt] = '.';
          cells[wallAt][along + d] = '.';
        }
      }
    }
    List<Thing> things = new ArrayList<>();
    int[] colours = {0xE8C02A, 0x30D0E0, 0xF050B0, 0xF0F0F0, 0x40E040, 0xF04040, 0x4060F0, 0xF0A040, 0xA040F0};
    for (int room = 0; room < 9; room++) {
      double ox = (room % 3) * (ROOM + 1) + 1;
      double oy = (room / 3) * (ROOM + 1) + 1;
      // a short inner wall segment, in a room-specific place
      int wx = (int) ox + 3 + (room * 5) % 6;
      int wy = (int) oy + 5 + (room * 3) % 4;
      for (int i = 0; i < 3; i++) {
        cells[wy][wx + i] = (char) ('1' + (room + 3) % 9);
      }
      // two objects per room, placed differently in each so no two rooms look alike
      things.add(new Thing(ox + 2.5 + room % 4, oy + 3.5, 0.3, colours[room]));
      double tx = ox + 8.5;
      double ty = oy + 7.5 + room % 3;
      if (cells[(int) ty][(int) tx] != '.') { // never inside the inner wall
        ty = oy + 10.5;
      }
      things.add(new Thing(tx, ty, 0.35, colours[(room + 4) % 9]));
    }
    return new WorldMap("rooms", cells, roomOf, things, 6.5, 2.5);
  }

  public String name() {
    return name;
  }

  /** The wall type at a cell, 0 for open floor; outside the map counts as wall. */
  int wall(int x, int y) {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      return 1;
    }
    char c = cells[y][x];
    return c == '.' ? 0 : c - '0';
  }

  boolean blocked(double x, double y) {
    return wall((int) Math.floor(x), (int) Math.floor(y)) != 0;
  }

  /** The floor colour of a cell (a checker within each room). */
  int floorRgb(int x, int y) {
    int room = x < 0 || y < 0 || x >= width || y >= height ? 0 : roomOf[y][x];
    return FLOOR_RGB[room % FLOOR_RGB.length][(x + y) & 1];
  }

  /** Cells the avatar can stand in. */
  int floorCells() {
    int n = 0;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        if (wall(x, y) == 0) {
          n++;
        }
      }
    }
    return n;
  }

  List<Thing> things() {
    return things;
  }

  /** How many rooms the map has (1 for {@code room}, 9 for {@code rooms}). */
  public int roomCount() {
    return rooms;
  }

  /** The room a cell belongs to (walls and doorways count with the room they were cut from); -1 outside. */
  public int roomOf(int x, int y) {
    return x < 0 || y < 0 || x >= width || y >= height ? -1 : roomOf[y][x];
  }

  /**
   * Where the avatar starts for a seed: the middle of a floor cell of the start room, drawn uniformly among the
   * cells whose neighbours are all floor (so it never starts touching a wall), and a uniform heading. The same
   * seed gives the same start, live and in the chance tool.
   */
  public World.Pose start(long seed) {
    int room = roomOf((int) startX, (int) startY);
    List<int[]> open = new ArrayList<>();
    for (int y = 1; y < height - 1; y++) {
      for (int x = 1; x < width - 1; x++) {
        if (roomOf[y][x] == room && clearAround(x, y)) {
          open.add(new int[] {x, y});
        }
      }
    }
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    int[] cell = open.get(random.nextInt(open.size()));
    return new World.Pose(cell[0] + 0.5, cell[1] + 0.5, random.nextDouble(2 * Math.PI), 0);
  }

  private boolean clearAround(int x, int y) {
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        if (wall(x + dx, y + dy) != 0) {
          return false;
        }
      }
    }
    return true;
  }

  double startX() {
    return startX;
  }

  double startY() {
    return startY;
  }

  static int wallRgb(int type) {
    return WALL_RGB[Math.max(0, Math.min(WALL_RGB.length - 1, type))];
  }
}
