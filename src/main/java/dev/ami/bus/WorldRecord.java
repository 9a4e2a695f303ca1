package dev.ami.bus;

/**
 * How much of the built-in world the agent has explored: distinct floor cells visited since the start and in
 * the last minute, out of {@code floorCells}.
 */
public record WorldRecord(String map, long cellsVisited, long cellsLastMinute, long floorCells, long wallMillis) {
}
