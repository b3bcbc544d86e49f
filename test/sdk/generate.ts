/**
 * Client stubs in other languages, generated from `proto/` as it is committed (no edits, no
 * copies) by Debian's protoc with its Python, gRPC-Python, Go and gRPC-Go plugins. The
 * commands are shell lines run from the repository root, word for word the ones the README's
 * "SDKs in other languages" shows (test/sdk/readme-commands.test.ts holds that).
 *
 * Only `proto/k8s` and `proto/wheelhouse` are needed: they import nothing else but protoc's
 * own `google/protobuf/descriptor.proto` (Debian's libprotobuf-dev).
 */
import { execFileSync } from 'node:child_process';

/** The repository root, where the commands run. */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Python messages (`*_pb2.py`) and gRPC stubs (`*_pb2_grpc.py`) into `$OUT`, importable as
 * `wheelhouse.core.v1.services_pb2_grpc`, `k8s.io.api.core.v1.config_pb2`, … with `$OUT` on
 * PYTHONPATH. Debian names the gRPC plugin `grpc_python_plugin`.
 */
export const PYTHON_COMMAND = `protoc -I proto --python_out="$OUT" --grpc_python_out="$OUT" \\
  --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \\
  $(find proto/k8s proto/wheelhouse -name '*.proto')`;

/** The Go import path the generated packages live under (a client picks its own). */
export const GO_IMPORT_PREFIX = 'example.com/wheelhouse';

/**
 * Go messages (`*.pb.go`) and gRPC clients (`*_grpc.pb.go`) into `$OUT/<import path>`; with
 * `$OUT` a GOPATH's `src`: `import corev1 "example.com/wheelhouse/wheelhouse/core/v1"`. The
 * Kubernetes files carry no `go_package` option, so `M` options give every file its import
 * path, `example.com/wheelhouse/<the file's directory>`: one proto package, one Go package.
 */
export const GO_COMMAND = `M=$(cd proto && find k8s wheelhouse -name '*.proto' | sort \\
  | sed 's|^\\(.*\\)/[^/]*$|M&=${GO_IMPORT_PREFIX}/\\1|' | paste -sd, -)
protoc -I proto --go_out="$OUT" --go_opt="$M" --go-grpc_out="$OUT" --go-grpc_opt="$M" \\
  $(find proto/k8s proto/wheelhouse -name '*.proto')`;

/** Runs one of the commands above with `$OUT` set; a failure carries protoc's own message. */
export function generate(command: string, out: string): void {
  try {
    execFileSync('bash', ['-euo', 'pipefail', '-c', command], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', OUT: out },
    });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`generating stubs failed: ${e.stderr?.toString() || e.message}\ncommand:\n${command}`);
  }
}
