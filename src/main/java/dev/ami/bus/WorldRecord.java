package dev.ami.bus;

/**
 * How much of the built-in world the agent has explored: distinct floor cells visited since the start and in
 * the last minute, out of {@code floorCells}; rooms entered out of {@code roomsTotal}; and the longest stretches
 * without a new cell so far, the one still going included ({@code longestOpenStallMs}: only those that began
 * while some room was still unvisited).
 */
public record WorldRecord(String map, long cellsVisited, long cellsLastMinute, long floorCells, int roomsVisited,
                          int roomsTotal, double longestStallMs, double longestOpenStallMs, long wallMillis) {
}
