package io.blacktree.worker;

import io.blacktree.core.ErrorKind;

/** Core {@link ErrorKind} to the proto enum of the same name. */
final class ProtoKinds {
  private ProtoKinds() {}

  static io.blacktree.proto.worker.v1.ErrorKind toProto(ErrorKind kind) {
    return io.blacktree.proto.worker.v1.ErrorKind.valueOf(kind.name());
  }
}
