package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The SConv ("spiral conv") layer: a complex diagonal linear recurrence over D channels,
 * {@code h_t = λ ⊙ h_{t-1} + B ⊙ x_t}, {@code y_t = Re(h_t)}, with the decay
 * {@code λ = exp(-|θ|²) · e^{i·arg θ}} learned through θ. Complex numbers are carried as separate real and
 * imaginary arrays; θ and B are parameters of shape (2, D), row 0 real, row 1 imaginary.
 *
 * <p>Inputs [x (N,T,D), h_re (N,D), h_im (N,D)] → [y (N,T,D), h_re, h_im after the last step]. A window is a
 * plain scan over T, which for the short windows used here equals ami's FFT convolution.
 */
public final class SConv extends AbstractBlock {
  private final int width;
  private final Parameter theta;
  private final Parameter b;

  public SConv(int width) {
    this.width = width;
    this.theta = addParameter(Parameter.builder().setName("theta").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(2, width)).optInitializer(SConv::initTheta).build());
    this.b = addParameter(Parameter.builder().setName("b").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(2, width)).optInitializer(SConv::initB).build());
  }

  /** θ_d = e^{2πi·d/D} · |N(0,1)|: phases spread round the circle, random magnitudes. */
  private static NDArray initTheta(NDManager m, Shape shape, DataType type) {
    long d = shape.get(1);
    NDArray magnitude = m.randomNormal(new Shape(d), type).abs();
    NDArray phase = m.arange(0f, (float) d, 1f, type).mul(2 * Math.PI / d);
    return NDArrays.stack(new NDList(phase.cos().mul(magnitude), phase.sin().mul(magnitude)));
  }

  /** B ~ complex standard normal, as {@code torch.randn(D, dtype=cfloat)}: each part N(0, 1/2). */
  private static NDArray initB(NDManager m, Shape shape, DataType type) {
    return m.randomNormal(0f, (float) Math.sqrt(0.5), shape, type, m.getDevice());
  }

  /**
   * λ from θ (2, D), as [re (D), im (D)]. The rows are taken into {@code into}: a result of DJL belongs to its
   * first operand's manager, and a parameter's is the model's, which lives as long as the model.
   */
  public static NDList decay(NDArray theta, NDManager into) {
    NDArray re = theta.get(0);
    NDArray im = theta.get(1);
    re.attach(into);
    im.attach(into);
    NDArray mag2 = re.square().add(im.square());
    NDArray scale = mag2.neg().exp().div(mag2.add(1e-12f).sqrt()); // exp(-|θ|²) / |θ|
    return new NDList(re.mul(scale), im.mul(scale));
  }

  /**
   * The recurrence over a window: x (N,T,D), h (N,D) re/im, λ and B as (D) re/im. Returns y (N,T,D) and the
   * last hidden state.
   */
  public static NDList scan(NDArray x, NDArray hRe, NDArray hIm, NDArray lRe, NDArray lIm, NDArray bRe,
                            NDArray bIm) {
    long steps = x.getShape().get(1);
    List<NDArray> ys = new ArrayList<>();
    NDArray re = hRe;
    NDArray im = hIm;
    for (long t = 0; t < steps; t++) {
      NDArray xt = x.get(":, " + t);
      NDArray nextRe = lRe.mul(re).sub(lIm.mul(im)).add(bRe.mul(xt));
      NDArray nextIm = lRe.mul(im).add(lIm.mul(re)).add(bIm.mul(xt));
      re = nextRe;
      im = nextIm;
      ys.add(re);
    }
    return new NDList(NDArrays.stack(new NDList(ys), 1), re, im);
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                   PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDManager step = x.getManager(); // everything this forward makes goes with the input's manager
    NDList lambda = decay(store.getValue(theta, x.getDevice(), training), step);
    NDArray bb = store.getValue(b, x.getDevice(), training);
    NDArray bRe = bb.get(0);
    NDArray bIm = bb.get(1);
    bRe.attach(step);
    bIm.attach(step);
    return scan(x, inputs.get(1), inputs.get(2), lambda.get(0), lambda.get(1), bRe, bIm);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape h = new Shape(inputShapes[0].get(0), width);
    return new Shape[] {inputShapes[0], h, h};
  }
}
