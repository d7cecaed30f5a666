package dev.turbojet.unet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turbojet.io.CheckpointException;
import dev.turbojet.unet.UNetConfig.DownBlockType;
import dev.turbojet.unet.UNetConfig.UpBlockType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.turbojet.unet.UNetConfig.DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D;
import static dev.turbojet.unet.UNetConfig.DownBlockType.DOWN_BLOCK_2D;
import static dev.turbojet.unet.UNetConfig.UpBlockType.CROSS_ATTN_UP_BLOCK_2D;
import static dev.turbojet.unet.UNetConfig.UpBlockType.UP_BLOCK_2D;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UNetConfigTest {
    static final Path REAL = Path.of("src/main/resources/dev/turbojet/models/sdxl-turbo/unet/config.json");
    static final Path TINY = dev.turbojet.testing.ReferenceKit.tiny("unet/config.json");

    @Test
    void readsTheSdxlTurboConfig() {
        UNetConfig c = UNetConfig.read(REAL);
        assertEquals(4, c.inChannels());
        assertEquals(4, c.outChannels());
        assertEquals(List.of(320, 640, 1280), c.blockOutChannels());
        assertEquals(List.of(DOWN_BLOCK_2D, CROSS_ATTN_DOWN_BLOCK_2D, CROSS_ATTN_DOWN_BLOCK_2D), c.downBlockTypes());
        assertEquals(List.of(CROSS_ATTN_UP_BLOCK_2D, CROSS_ATTN_UP_BLOCK_2D, UP_BLOCK_2D), c.upBlockTypes());
        assertEquals(List.of(2, 2, 2), c.layersPerBlock());
        assertEquals(List.of(1, 2, 10), c.transformerLayersPerBlock());
        assertEquals(List.of(5, 10, 20), c.attentionHeads());   // head counts: every head is 64 wide
        assertEquals(2048, c.crossAttentionDim());
        assertEquals(32, c.normNumGroups());
        assertEquals(1e-5f, c.normEps());
        assertEquals(256, c.additionTimeEmbedDim());
        assertEquals(2816, c.projectionClassEmbeddingsInputDim());
        assertEquals(1280, c.pooledDim());
        assertEquals(1280, c.timeEmbedDim());
        assertTrue(c.flipSinToCos());
        assertEquals(0f, c.freqShift());
        assertTrue(c.useLinearProjection());
        assertFalse(c.upcastAttention());
        assertEquals(64, c.sampleSize());
    }

    @Test
    void readsTheTinyConfig() {
        UNetConfig c = UNetConfig.read(TINY);
        assertEquals(List.of(16, 32, 64), c.blockOutChannels());
        assertEquals(List.of(1, 2, 3), c.transformerLayersPerBlock());
        assertEquals(List.of(1, 2, 4), c.attentionHeads());
        assertEquals(72, c.crossAttentionDim());
        assertEquals(8, c.normNumGroups());
        assertEquals(8, c.additionTimeEmbedDim());
        assertEquals(80, c.projectionClassEmbeddingsInputDim());
        assertEquals(32, c.pooledDim());
        assertEquals(64, c.timeEmbedDim());
        assertEquals(8, c.sampleSize());
    }

    @Test
    void scalarsExpandToEveryBlockAndExtraKeysAreIgnored() throws IOException {
        ObjectNode j = tiny();
        j.put("transformer_layers_per_block", 1);
        j.put("attention_head_dim", 8);
        j.put("layers_per_block", 3);
        j.put("some_future_key", "whatever");
        UNetConfig c = UNetConfig.fromJson(j);
        assertEquals(List.of(1, 1, 1), c.transformerLayersPerBlock());
        assertEquals(List.of(8, 8, 8), c.attentionHeads());
        assertEquals(List.of(3, 3, 3), c.layersPerBlock());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "down_block_types      | [\"DownBlock2D\",\"SimpleCrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\"] | SimpleCrossAttnDownBlock2D",
            "up_block_types        | [\"CrossAttnUpBlock2D\",\"AttnUpBlock2D\",\"UpBlock2D\"]                | AttnUpBlock2D",
            "mid_block_type        | \"UNetMidBlock2DSimpleCrossAttn\" | UNetMidBlock2DSimpleCrossAttn",
            "act_fn                | \"gelu\"                          | gelu",
            "addition_embed_type   | \"text_image\"                    | text_image",
            "addition_embed_type   | null                              | null",
            "attention_type        | \"gated\"                         | gated",
            "resnet_time_scale_shift | \"scale_shift\"                 | scale_shift",
            "time_embedding_type   | \"fourier\"                       | fourier",
            "class_embed_type      | \"timestep\"                      | timestep",
            "encoder_hid_dim       | 4096                              | 4096",
            "num_attention_heads   | [1,2,4]                           | [1,2,4]",
            "only_cross_attention  | true                              | true",
            "dual_cross_attention  | true                              | true",
            "conv_in_kernel        | 7                                 | 7",
            "resnet_out_scale_factor | 2.0                             | 2.0",
            "cross_attention_dim   | [72,72,72]                        | [72,72,72]",
            "attention_head_dim    | [1,3,4]                           | [1, 3, 4]",
            "norm_num_groups       | 7                                 | 7",
            "transformer_layers_per_block | [1,2]                      | [1,2]",
            "use_linear_projection | \"yes\"                           | yes",
            "norm_num_groups       | 0                                 | 0",
            "block_out_channels    | [16,-32,64]                       | [16, -32, 64]",
            "layers_per_block      | 100000                            | 100000",
            "transformer_layers_per_block | 300                        | 300",
            "in_channels           | 0                                 | 0",
            "cross_attention_dim   | -8                                | -8",
    })
    void unsupportedValuesFailNamingKeyAndValue(String key, String json, String shown) throws IOException {
        ObjectNode j = tiny();
        j.set(key, new ObjectMapper().readTree(json));
        CheckpointException e = assertThrows(CheckpointException.class, () -> UNetConfig.fromJson(j));
        assertTrue(e.getMessage().contains(key + " "), e.getMessage());
        assertTrue(e.getMessage().contains(shown), e.getMessage());
    }

    @Test
    void missingRequiredKeyIsNamed() throws IOException {
        ObjectNode j = tiny();
        j.remove("projection_class_embeddings_input_dim");
        CheckpointException e = assertThrows(CheckpointException.class, () -> UNetConfig.fromJson(j));
        assertTrue(e.getMessage().contains("missing key projection_class_embeddings_input_dim"), e.getMessage());
    }

    @Test
    void parseErrorsNameTheFile() {
        var in = new ByteArrayInputStream("{\"in_channels\": ".getBytes(StandardCharsets.UTF_8));
        CheckpointException e = assertThrows(CheckpointException.class, () -> UNetConfig.parse(in, "x/unet/config.json"));
        assertTrue(e.getMessage().startsWith("x/unet/config.json"), e.getMessage());
        var bad = new ByteArrayInputStream("{\"in_channels\": 4,, }".getBytes(StandardCharsets.UTF_8));
        CheckpointException comma = assertThrows(CheckpointException.class, () -> UNetConfig.parse(bad, "x/unet/config.json"));
        assertEquals("x/unet/config.json: not valid JSON: line 1, column 19: Unexpected character (',' (code 44)): was expecting"
                + " double-quote to start field name", comma.getMessage(), "one line, without the parser's note on its source");
    }

    @Test
    void blockTypeEnumsCoverDiffusersNames() {
        assertEquals("CrossAttnDownBlock2D", DownBlockType.CROSS_ATTN_DOWN_BLOCK_2D.diffusersName);
        assertEquals("UpBlock2D", UpBlockType.UP_BLOCK_2D.diffusersName);
    }

    static ObjectNode tiny() throws IOException {
        return (ObjectNode) new ObjectMapper().readTree(Files.readString(TINY));
    }
}
