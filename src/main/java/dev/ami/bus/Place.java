package dev.ami.bus;

/** Where the avatar stands in the built-in world: its floor cell and the room that cell belongs to. */
public record Place(int x, int y, int room) {
}
