package dev.ami.env;

import dev.ami.bus.Place;
import dev.ami.bus.WorldRecord;

/** A world that can tell how much of it the agent has explored, and where the agent is (the built-in one can). */
public interface Exploration {
  WorldRecord report();

  /** Where the avatar stands now; cheap enough to ask every tick. */
  Place place();
}
