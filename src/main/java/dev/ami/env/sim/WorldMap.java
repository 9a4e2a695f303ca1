package dev.ami.env.sim;

import java.util.List;

/**
 * The built-in world's floor plan: a grid of wall cells (digits pick the wall's colour and texture, '.' is
 * open floor) and a few round objects standing on the floor.
 */
final class WorldMap {
  /** A pillar-like object seen as a billboard. */
  record Thing(double x, double y, double radius, int rgb) {
  }

  private static final String[] ROWS = {
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

  static final List<Thing> THINGS = List.of(
      new Thing(5.5, 7.5, 0.3, 0xE8C02A),
      new Thing(13.5, 3.5, 0.3, 0x30D0E0),
      new Thing(8.5, 10.5, 0.3, 0xF050B0),
      new Thing(3.5, 13.5, 0.3, 0xF0F0F0));

  /** Base colours of wall types 1..5. */
  private static final int[] WALL_RGB = {0, 0x8C8C96, 0xB0402C, 0x3C8C3C, 0x3C5AB4, 0xC8A050};

  final int width = ROWS[0].length();
  final int height = ROWS.length;

  /** The wall type at a cell, 0 for open floor; outside the map counts as wall. */
  int wall(int x, int y) {
    if (x < 0 || y < 0 || x >= width || y >= height) {
      return 1;
    }
    char c = ROWS[y].charAt(x);
    return c == '.' ? 0 : c - '0';
  }

  boolean blocked(double x, double y) {
    return wall((int) Math.floor(x), (int) Math.floor(y)) != 0;
  }

  static int wallRgb(int type) {
    return WALL_RGB[Math.max(0, Math.min(WALL_RGB.length - 1, type))];
  }
}
