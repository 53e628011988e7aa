package dqnengine.io;

import dqnengine.backend.cpu.ReferenceBackend;
import dqnengine.dqn.ParameterFile;
import dqnengine.nn.Networks;
import dqnengine.nn.Parameter;
import dqnengine.nn.Sequential;
import dqnengine.optim.Adam;
import dqnengine.optim.RmsProp;
import dqnengine.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void readsAFileBuiltByHandFromTheSpecification() throws IOException {
        // Header {"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}
        String json = "{\"__metadata__\":{\"k\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putFloat(1.5f).putFloat(-2f);
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, b.array());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(Map.of("k", "v"), c.metadata());
        assertArrayEquals(new float[] {1.5f, -2f}, c.tensors().get("w").data);
    }

    @Test
    void writtenFilesStartWithAnAlignedLittleEndianHeaderLength() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, Map.of("a", Tensor.wrap(new float[] {1f, 2f, 3f}, 3)), Map.of());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, n % 8, "data section must start 8-byte aligned");
        assertEquals(8 + n + 12, bytes.length);
        assertEquals(3f, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat((int) (8 + n + 8)));
    }

    @Test
    void networkAndAdamStateRoundTripExactly() throws IOException {
        Sequential net = Networks.nature(4, 6, new Random(1));
        Adam adam = new Adam(net.parameters(), 1e-4f);
        for (Parameter p : net.parameters()) Arrays.fill(p.grad().data, 0.01f);
        adam.step(new ReferenceBackend());
        Path f = dir.resolve("net.safetensors");
        ParameterFile.save(f, net, adam, Map.of("game", "pong"));

        Sequential other = Networks.nature(4, 6, new Random(2));
        Adam otherAdam = new Adam(other.parameters(), 1e-4f);
        Map<String, String> meta = ParameterFile.load(f, other, otherAdam);
        assertEquals("pong", meta.get("game"));
        assertEquals(1, otherAdam.stepCount());
        List<Parameter> a = net.parameters(), b = other.parameters();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).value().data, b.get(i).value().data, a.get(i).name());
        for (String k : adam.state().keySet()) assertArrayEquals(adam.state().get(k).data, otherAdam.state().get(k).data, k);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void aTruncatedFileIsRejectedWithAClearMessage() throws IOException {
        Sequential net = Networks.nature(4, 6, new Random(1));
        Path f = dir.resolve("net.safetensors");
        ParameterFile.save(f, net, null, Map.of());
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 1000));
        IOException e = assertThrows(SafeTensors.FormatException.class, () -> ParameterFile.load(f, net, null));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void garbageIsRejected() throws IOException {
        Path f = dir.resolve("junk.safetensors");
        Files.write(f, "this is not a checkpoint at all".getBytes(StandardCharsets.UTF_8));
        assertThrows(SafeTensors.FormatException.class, () -> SafeTensors.read(f));
        Files.write(f, new byte[3]);
        assertThrows(SafeTensors.FormatException.class, () -> SafeTensors.read(f));
    }

    @Test
    void aFileForAnotherNetworkShapeIsRejectedAndLeavesTheNetworkUntouched() throws IOException {
        Path f = dir.resolve("net.safetensors");
        ParameterFile.save(f, Networks.nature(4, 6, new Random(1)), null, Map.of());
        Sequential fourActions = Networks.nature(4, 4, new Random(3));
        float[] before = fourActions.parameters().get(0).value().data.clone();
        IOException e = assertThrows(SafeTensors.FormatException.class, () -> ParameterFile.load(f, fourActions, null));
        assertTrue(e.getMessage().contains("9.weight"), e.getMessage());
        assertArrayEquals(before, fourActions.parameters().get(0).value().data);
    }

    @Test
    void optimizerStateOfAnotherKindIsRejected() throws IOException {
        Sequential net = Networks.nature(4, 6, new Random(1));
        Path f = dir.resolve("net.safetensors");
        ParameterFile.save(f, net, new Adam(net.parameters(), 1e-4f), Map.of());
        var rms = RmsProp.nature(net.parameters());
        IOException e = assertThrows(SafeTensors.FormatException.class, () -> ParameterFile.load(f, net, rms));
        assertTrue(e.getMessage().contains("adam"), e.getMessage());
    }
}
