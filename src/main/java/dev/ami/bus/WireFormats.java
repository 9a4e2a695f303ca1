package dev.ami.bus;

import java.util.List;

/**
 * The wire layout of every record that may cross a JVM boundary, one codec each: its writer lists the fields in
 * order and its reader reads them back in the same order (Java evaluates constructor arguments left to right).
 * Conventions are those of {@link WireWriter}. A changed layout needs a new {@link WireCodec#FORMAT}.
 *
 * <p>No {@link System#nanoTime()} value crosses: {@link ParamsPublished#publishedNanos()} stays behind and arrives
 * as {@link ParamsPublished#FROM_ANOTHER_JVM}; the wall clock travels instead.
 */
final class WireFormats {
  /** Bytes of one {@link ModelTick} on the wire: two longs and three doubles. */
  private static final int MODEL_TICK_BYTES = 5 * 8;

  static final WireCodec<ControlCommand> CONTROL_COMMAND = new WireCodec<>(ControlCommand.class,
      (w, c) -> w.string(c.cmd()).i32(c.n()).json(c.args()),
      r -> new ControlCommand(r.string(), r.i32(), r.json()));

  static final WireCodec<ControlReply> CONTROL_REPLY = new WireCodec<>(ControlReply.class,
      (w, c) -> w.bool(c.ok()).enumName(c.state()).string(c.error()).json(c.detail()),
      r -> new ControlReply(r.bool(), r.enumValue(RunState.class), r.string(), r.json()));

  static final WireCodec<StepRecord> STEP = new WireCodec<>(StepRecord.class,
      (w, s) -> w.i64(s.tick()).bytes(s.frame()).i32(s.side()).ints(s.action()).floats(s.logp()).f32(s.value())
          .f32(s.reward()).floats(s.hidden()).bool(s.stale()).bool(s.chainStart())
          .map(s.versions(), WireWriter::i64).i64(s.wallMillis()),
      r -> new StepRecord(r.i64(), r.bytes(), r.i32(), r.ints(), r.floats(), r.f32(), r.f32(), r.floats(),
          r.bool(), r.bool(), r.map(WireReader::i64, 8), r.i64()));

  static final WireCodec<ParamsPublished> PARAMS_PUBLISHED = new WireCodec<>(ParamsPublished.class,
      (w, p) -> w.string(p.key()).i64(p.version()).i64(p.trainerStep()).i64(p.publishedWallMicros()),
      r -> new ParamsPublished(r.string(), r.i64(), r.i64(), ParamsPublished.FROM_ANOTHER_JVM, r.i64()));

  static final WireCodec<TickRecord> TICK = new WireCodec<>(TickRecord.class,
      (w, t) -> w.i64(t.tick()).f64(t.latenessMs()).f64(t.durationMs()).f64(t.inferenceMs())
          .map(t.models(), WireFormats::writeModelTick).f64(t.reward()).floats(t.actionProbs()).i32(t.action())
          .i64(t.missed()).i64(t.wallMillis()).bool(t.blind())
          .ints(t.place() == null ? null : new int[] {t.place().x(), t.place().y(), t.place().room()}),
      r -> new TickRecord(r.i64(), r.f64(), r.f64(), r.f64(), r.map(WireFormats::readModelTick, MODEL_TICK_BYTES),
          r.f64(), r.floats(), r.i32(), r.i64(), r.i64(), r.bool(), place(r.ints())));

  static final WireCodec<TrainRecord> TRAIN = new WireCodec<>(TrainRecord.class,
      (w, t) -> w.string(t.model()).i64(t.step()).f64(t.stepMs()).f64(t.loss()).i64(t.versionPublished())
          .i32(t.bufferSize()).i64(t.skippedSteps()).i64(t.wallMillis()).f64(t.gradNorm()),
      r -> new TrainRecord(r.string(), r.i64(), r.f64(), r.f64(), r.i64(), r.i32(), r.i64(), r.i64(), r.f64()));

  static final WireCodec<PpoUpdate> PPO_UPDATE = new WireCodec<>(PpoUpdate.class,
      (w, u) -> w.i64(u.update()).i64(u.version()).i32(u.steps()).i32(u.skipped()).f64(u.loss()).f64(u.policyLoss())
          .f64(u.valueLoss()).f64(u.valueMean()).f64(u.returnMean()).f64(u.advStdRaw()).f64(u.gradNorm())
          .f64(u.clipFrac()).f64(u.approxKl()).floats(u.entropy()).f64(u.entCoef()).f64(u.rewardMean()).f64(u.rewardMax())
          .f64(u.rewardScale()).i32(u.rewardsClipped()).i32(u.gaps()).i64(u.wallMillis()),
      r -> new PpoUpdate(r.i64(), r.i64(), r.i32(), r.i32(), r.f64(), r.f64(), r.f64(), r.f64(), r.f64(), r.f64(),
          r.f64(), r.f64(), r.f64(), r.floats(), r.f64(), r.f64(), r.f64(), r.f64(), r.i32(), r.i32(), r.i64()));

  static final WireCodec<Event> EVENT = new WireCodec<>(Event.class,
      (w, e) -> w.string(e.level()).string(e.kind()).string(e.message()).i64(e.wallMillis()),
      r -> new Event(r.string(), r.string(), r.string(), r.i64()));

  static final WireCodec<WorldRecord> WORLD = new WireCodec<>(WorldRecord.class,
      (w, x) -> w.string(x.map()).i64(x.cellsVisited()).i64(x.cellsLastMinute()).i64(x.floorCells())
          .i32(x.roomsVisited()).i32(x.roomsTotal()).f64(x.longestStallMs()).f64(x.longestOpenStallMs())
          .i64(x.wallMillis()),
      r -> new WorldRecord(r.string(), r.i64(), r.i64(), r.i64(), r.i32(), r.i32(), r.f64(), r.f64(), r.i64()));

  static final WireCodec<ObservationRecord> OBSERVATION = new WireCodec<>(ObservationRecord.class,
      (w, o) -> w.i64(o.tick()).floats(o.chw()).i32(o.height()).i32(o.width()).i32(o.action())
          .floats(o.predictedLatent()).i64(o.encoderVersion()).i64(o.wallMillis()),
      r -> new ObservationRecord(r.i64(), r.floats(), r.i32(), r.i32(), r.i32(), r.floats(), r.i64(), r.i64()));

  static final WireCodec<ExpectedFrameRecord> EXPECTED_FRAME = new WireCodec<>(ExpectedFrameRecord.class,
      (w, e) -> w.i64(e.tick()).floats(e.chw()).i32(e.height()).i32(e.width()).i64(e.decoderVersion())
          .i64(e.wallMillis()),
      r -> new ExpectedFrameRecord(r.i64(), r.floats(), r.i32(), r.i32(), r.i64(), r.i64()));

  static final WireCodec<CheckpointRecord> CHECKPOINT = new WireCodec<>(CheckpointRecord.class,
      (w, c) -> w.string(c.reason()).string(c.path()).i64(c.bytes()).f64(c.totalMs()).f64(c.trainerPauseMs())
          .f64(c.writeMs()).string(c.error()).i64(c.wallMillis()),
      r -> new CheckpointRecord(r.string(), r.string(), r.i64(), r.f64(), r.f64(), r.f64(), r.string(), r.i64()));

  static final WireCodec<RedeployRecord> REDEPLOY = new WireCodec<>(RedeployRecord.class,
      (w, d) -> w.string(d.target()).string(d.modelKind()).f64(d.buildMs()).f64(d.handoverMs()).i64(d.missedTicks())
          .f64(d.deadlineGapMs()).f64(d.trainerGapMs()).list(d.warnings(), WireWriter::string).string(d.error())
          .i64(d.wallMillis()),
      r -> new RedeployRecord(r.string(), r.string(), r.f64(), r.f64(), r.i64(), r.f64(), r.f64(),
          r.list(WireReader::string, 4), r.string(), r.i64()));

  static final WireCodec<SnapshotOffer> SNAPSHOT_OFFER = new WireCodec<>(SnapshotOffer.class,
      (w, o) -> w.string(o.node()).string(o.key()).i64(o.version()).string(o.spec()).i64(o.wallMillis()),
      r -> new SnapshotOffer(r.string(), r.string(), r.i64(), r.string(), r.i64()));

  static final WireCodec<NodeBeat> NODE_BEAT = new WireCodec<>(NodeBeat.class,
      (w, b) -> w.string(b.node()).list(b.roles(), WireWriter::string).i64(b.wallMillis()),
      r -> new NodeBeat(r.string(), r.list(WireReader::string, 4), r.i64()));

  static final WireCodec<CheckpointPartRequest> CHECKPOINT_PART_REQUEST = new WireCodec<>(CheckpointPartRequest.class,
      (w, p) -> w.string(p.id()).i64(p.sequence()).i64(p.stampMillis()).string(p.reason()).string(p.node())
          .string(p.run()).bool(p.agent()).i64(p.ticks()).i64(p.noFrameTicks()).i64(p.staleTicks())
          .i64(p.missedTicks()).floats(p.hidden()),
      r -> new CheckpointPartRequest(r.string(), r.i64(), r.i64(), r.string(), r.string(), r.string(), r.bool(),
          r.i64(), r.i64(), r.i64(), r.i64(), r.floats()));

  static final WireCodec<CheckpointPartReply> CHECKPOINT_PART_REPLY = new WireCodec<>(CheckpointPartReply.class,
      (w, p) -> w.string(p.id()).string(p.name()).string(p.path()).i64(p.bytes()).string(p.manifestSha256())
          .f64(p.trainerPauseMs()).f64(p.writeMs()).string(p.node()).string(p.run()).string(p.error())
          .i64(p.wallMillis()),
      r -> new CheckpointPartReply(r.string(), r.string(), r.string(), r.i64(), r.string(), r.f64(), r.f64(),
          r.string(), r.string(), r.string(), r.i64()));

  /** Every record that may cross a JVM boundary, with its codec. */
  static final List<WireCodec<?>> ALL = List.of(CONTROL_COMMAND, CONTROL_REPLY, STEP, PARAMS_PUBLISHED, TICK, TRAIN,
      PPO_UPDATE, EVENT, WORLD, OBSERVATION, EXPECTED_FRAME, CHECKPOINT, REDEPLOY, SNAPSHOT_OFFER, NODE_BEAT,
      CHECKPOINT_PART_REQUEST, CHECKPOINT_PART_REPLY);

  private WireFormats() {
  }

  private static void writeModelTick(WireWriter w, ModelTick m) {
    w.i64(m.versionUsed()).i64(m.versionPublished()).f64(m.computeMs()).f64(m.swapMs()).f64(m.publishToUseMs());
  }

  private static Place place(int[] xyRoom) {
    if (xyRoom == null) {
      return null;
    }
    if (xyRoom.length != 3) {
      throw new IllegalArgumentException("a place has 3 ints (x, y, room), not " + xyRoom.length);
    }
    return new Place(xyRoom[0], xyRoom[1], xyRoom[2]);
  }

  private static ModelTick readModelTick(WireReader r) {
    return new ModelTick(r.i64(), r.i64(), r.f64(), r.f64(), r.f64());
  }
}
