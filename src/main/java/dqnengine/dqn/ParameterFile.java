package dqnengine.dqn;

import dqnengine.io.SafeTensors;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.optim.Optimizer;
import dqnengine.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A network's parameters, and optionally its optimizer's state, in one safetensors file.
 *
 * <pre>
 *   tensors:   "0.weight", "0.bias", "2.weight", …          the network (PyTorch state-dict names)
 *              "optim.exp_avg.0.weight", …                   optimizer state, "optim.&lt;kind&gt;.&lt;param&gt;"
 *   metadata:  "format"      = "dqn-engine/params-v1"
 *              "optim.kind"  = "adam" | "rmsprop" | "sgd"     (when an optimizer was saved)
 *              "optim.step"  = number of updates taken
 *              "optim.hyper" = the optimizer's hyperparameters, for the reader
 * </pre>
 *
 * In PyTorch: {@code net.load_state_dict({k: v for k, v in load_file(path).items() if not
 * k.startswith("optim.")})} loads the weights into the equivalent {@code nn.Sequential}.
 * Loading checks every name and shape and refuses a file that does not match the network.
 */
public final class ParameterFile {
    private ParameterFile() {}

    public static final String FORMAT = "dqn-engine/params-v1";
    private static final String OPTIM_PREFIX = "optim.";

    /** Saves the network (and optimizer state if {@code optimizer} is not null) atomically. */
    public static void save(Path file, Sequential network, Optimizer optimizer, Map<String, String> extraMetadata) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Parameter p : network.parameters()) tensors.put(p.name(), p.value());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        if (optimizer != null) {
            optimizer.state().forEach((name, t) -> tensors.put(OPTIM_PREFIX + name, t));
            meta.put("optim.kind", optimizer.kind());
            meta.put("optim.step", Long.toString(optimizer.stepCount()));
            meta.put("optim.hyper", optimizer.describe());
        }
        meta.putAll(extraMetadata);
        SafeTensors.write(file, tensors, meta);
    }

    /**
     * Loads parameters into {@code network} and, if given, state into {@code optimizer}.
     * Nothing is modified unless the whole file matches.
     *
     * @return the file's metadata
     */
    public static Map<String, String> load(Path file, Sequential network, Optimizer optimizer) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        Map<String, Tensor> t = c.tensors();
        Map<String, String> meta = c.metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new SafeTensors.FormatException(file, "format is '" + meta.get("format") + "', expected '" + FORMAT + "'");
        }
        Map<Tensor, Tensor> assignments = new LinkedHashMap<>();
        for (Parameter p : network.parameters()) {
            assignments.put(p.value(), matching(file, t, p.name(), p.value()));
        }
        long networkTensors = t.keySet().stream().filter(k -> !k.startsWith(OPTIM_PREFIX)).count();
        if (networkTensors != network.parameters().size()) {
            throw new SafeTensors.FormatException(file, "holds " + networkTensors + " network tensors, the network has "
                    + network.parameters().size() + " (another architecture?)");
        }
        if (optimizer != null) {
            String kind = meta.get("optim.kind");
            if (!optimizer.kind().equals(kind)) {
                throw new SafeTensors.FormatException(file, "optimizer state is for '" + kind + "', the run uses '" + optimizer.kind() + "'");
            }
            for (Map.Entry<String, Tensor> s : optimizer.state().entrySet()) {
                assignments.put(s.getValue(), matching(file, t, OPTIM_PREFIX + s.getKey(), s.getValue()));
            }
            long step;
            try {
                step = Long.parseLong(meta.get("optim.step"));
            } catch (NumberFormatException e) {
                throw new SafeTensors.FormatException(file, "optim.step is '" + meta.get("optim.step") + "'");
            }
            assignments.forEach(Tensor::copyFrom);
            optimizer.setStepCount(step);
        } else {
            assignments.forEach(Tensor::copyFrom);
        }
        return meta;
    }

    private static Tensor matching(Path file, Map<String, Tensor> tensors, String name, Tensor expected) throws IOException {
        Tensor found = tensors.get(name);
        if (found == null) throw new SafeTensors.FormatException(file, "tensor '" + name + "' is missing (another architecture?)");
        if (!found.sameShape(expected)) {
            throw new SafeTensors.FormatException(file, "tensor '" + name + "' has shape " + found.shapeString()
                    + ", the network needs " + Arrays.toString(expected.shape()));
        }
        return found;
    }
}
