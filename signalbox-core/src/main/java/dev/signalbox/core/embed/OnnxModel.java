package dev.signalbox.core.embed;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX model file that fine-tuning reads and writes: how its nodes are wired and
 * where each float initializer's values lie in the file's bytes. Tuned weights have the shapes of
 * the ones they replace, so a tuned model is the same bytes with those ranges overwritten: no
 * protobuf message is rebuilt, and ONNX Runtime runs the result as it ran the original. Field
 * numbers are onnx.proto's (ModelProto.graph 7; GraphProto.node 1, initializer 5; NodeProto.input
 * 1, output 2, op_type 4; TensorProto.dims 1, data_type 2, float_data 4, name 8, raw_data 9).
 */
public final class OnnxModel {
  private static final int FLOAT = 1;

  /** A node: its operator and the names of the values it reads and writes. */
  public record Node(String opType, List<String> inputs, List<String> outputs) {}

  /** A float initializer: its shape, and where its little-endian values lie in the file. */
  public record Initializer(String name, List<Long> dims, int offset, int length) {
    public int elements() {
      return length / Float.BYTES;
    }
  }

  private final byte[] bytes;
  private final List<Node> nodes;
  private final Map<String, Initializer> initializers;

  private OnnxModel(byte[] bytes, List<Node> nodes, Map<String, Initializer> initializers) {
    this.bytes = bytes;
    this.nodes = List.copyOf(nodes);
    this.initializers = initializers;
  }

  public static OnnxModel read(byte[] bytes) {
    List<Node> nodes = new ArrayList<>();
    Map<String, Initializer> initializers = new LinkedHashMap<>();
    parse(CodedInputStream.newInstance(bytes), nodes, initializers);
    return new OnnxModel(bytes, nodes, initializers);
  }

  /**
   * Where each float initializer of the ONNX file read from {@code in} lies, the file streamed and
   * not kept: a 90 MB model need not pass through a serving gateway's heap.
   */
  public static Map<String, Initializer> initializers(InputStream in) {
    Map<String, Initializer> initializers = new LinkedHashMap<>();
    parse(CodedInputStream.newInstance(in), new ArrayList<>(), initializers);
    return initializers;
  }

  private static void parse(
      CodedInputStream in, List<Node> nodes, Map<String, Initializer> initializers) {
    try {
      in.setSizeLimit(Integer.MAX_VALUE);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == field(7)) {
          int limit = in.pushLimit(in.readRawVarint32());
          readGraph(in, nodes, initializers);
          in.popLimit(limit);
        } else {
          in.skipField(tag);
        }
      }
      if (nodes.isEmpty()) {
        throw new IllegalArgumentException("not an ONNX model: no graph nodes");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("not an ONNX model: " + e.getMessage(), e);
    }
  }

  private static int field(int number) {
    return (number << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }

  private static void readGraph(
      CodedInputStream in, List<Node> nodes, Map<String, Initializer> initializers)
      throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == field(1)) {
        int limit = in.pushLimit(in.readRawVarint32());
        nodes.add(readNode(in));
        in.popLimit(limit);
      } else if (tag == field(5)) {
        int limit = in.pushLimit(in.readRawVarint32());
        Initializer initializer = readTensor(in);
        if (initializer != null) {
          initializers.put(initializer.name(), initializer);
        }
        in.popLimit(limit);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static Node readNode(CodedInputStream in) throws IOException {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    String opType = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> inputs.add(in.readString());
        case 2 -> outputs.add(in.readString());
        case 4 -> opType = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new Node(opType, inputs, outputs);
  }

  /** The tensor's place in the file, or null when it is not a float tensor held in the file. */
  private static Initializer readTensor(CodedInputStream in) throws IOException {
    List<Long> dims = new ArrayList<>();
    int type = 0;
    String name = "";
    int offset = -1;
    int length = 0;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int number = WireFormat.getTagFieldNumber(tag);
      if (number == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
        dims.add(in.readInt64());
      } else if (number == 1) {
        int limit = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
          dims.add(in.readInt64());
        }
        in.popLimit(limit);
      } else if (number == 2) {
        type = in.readInt32();
      } else if (number == 8) {
        name = in.readString();
      } else if ((number == 9 || number == 4)
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        length = in.readRawVarint32();
        offset = in.getTotalBytesRead();
        in.skipRawBytes(length);
      } else {
        in.skipField(tag);
      }
    }
    return type == FLOAT && offset >= 0 ? new Initializer(name, dims, offset, length) : null;
  }

  public List<Node> nodes() {
    return nodes;
  }

  public Map<String, Initializer> initializers() {
    return initializers;
  }

  public Initializer initializer(String name) {
    Initializer initializer = initializers.get(name);
    if (initializer == null) {
      throw new IllegalArgumentException("the model has no float initializer '" + name + "'");
    }
    return initializer;
  }

  public float[] floats(String name) {
    Initializer initializer = initializer(name);
    float[] values = new float[initializer.elements()];
    ByteBuffer.wrap(bytes, initializer.offset(), initializer.length())
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(values);
    return values;
  }

  /** This model's bytes with the named initializers' values replaced, each of its own size. */
  public byte[] withFloats(Map<String, float[]> replaced) {
    byte[] copy = bytes.clone();
    replaced.forEach(
        (name, values) -> {
          Initializer initializer = sameSize(initializer(name), values);
          ByteBuffer.wrap(copy, initializer.offset(), initializer.length())
              .order(ByteOrder.LITTLE_ENDIAN)
              .asFloatBuffer()
              .put(values);
        });
    return copy;
  }

  /**
   * Replaces the named initializers' values in an ONNX file in place, each of its own size, one
   * tensor in memory at a time; {@code places} are the file's {@link #initializers(InputStream)}.
   */
  public static void overwrite(
      FileChannel file, Map<String, Initializer> places, Map<String, float[]> replaced) {
    try {
      for (Map.Entry<String, float[]> entry : replaced.entrySet()) {
        Initializer place = places.get(entry.getKey());
        if (place == null) {
          throw new IllegalArgumentException(
              "the model has no float initializer '" + entry.getKey() + "'");
        }
        sameSize(place, entry.getValue());
        ByteBuffer values = ByteBuffer.allocate(place.length()).order(ByteOrder.LITTLE_ENDIAN);
        values.asFloatBuffer().put(entry.getValue());
        long at = place.offset();
        while (values.hasRemaining()) {
          at += file.write(values, at);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Initializer sameSize(Initializer initializer, float[] values) {
    if (values.length != initializer.elements()) {
      throw new IllegalArgumentException(
          initializer.name()
              + " holds "
              + initializer.elements()
              + " values, not "
              + values.length);
    }
    return initializer;
  }

  /**
   * For each bias an {@code Add} applies to a {@code MatMul}'s product, that {@code MatMul}'s
   * weight (shape in x out): how an exported BERT names its linear layers, whose weights it
   * renames.
   */
  public Map<String, String> weightOfBias() {
    Map<String, String> producedBy = new HashMap<>();
    for (Node node : nodes) {
      if (node.opType().equals("MatMul")
          && node.inputs().size() == 2
          && initializers.containsKey(node.inputs().get(1))) {
        producedBy.put(node.outputs().get(0), node.inputs().get(1));
      }
    }
    Map<String, String> weights = new HashMap<>();
    for (Node node : nodes) {
      if (!node.opType().equals("Add")) {
        continue;
      }
      String product = null;
      String bias = null;
      for (String input : node.inputs()) {
        if (producedBy.containsKey(input)) {
          product = input;
        } else if (initializers.containsKey(input)) {
          bias = input;
        }
      }
      if (product != null && bias != null) {
        weights.put(bias, producedBy.get(product));
      }
    }
    return weights;
  }
}
