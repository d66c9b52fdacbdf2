"""Real gRPC peers for the gRPC tests, from Debian's python3-grpcio and
python3-protobuf: a grpc.health.v1 server whose answers the test sets, and
a client asking a health service the way Kubernetes' probe and an ALB code
matcher read it (status code and message). Nobody on the project wrote
either library; the health messages are built by protobuf from their
descriptor, not by healthgate's own codec. Loopback only."""

import sys
import threading
import time
from concurrent import futures

try:
    import grpc
except ImportError:
    # Debian's python3-grpcio lives in the system Python's dist-packages;
    # a python3 from elsewhere (pyenv) on PATH does not look there.
    sys.path.append("/usr/lib/python3/dist-packages")
    import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

SERVICE = "grpc.health.v1.Health"
CHECK = "/grpc.health.v1.Health/Check"
STATUS = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2, "SERVICE_UNKNOWN": 3}


def _messages():
    """HealthCheckRequest and HealthCheckResponse as protobuf classes,
    from grpc/health/v1/health.proto's descriptor written out here."""
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="healthgate_test_health.proto", package="grpc.health.v1",
        syntax="proto3")
    req = fdp.message_type.add(name="HealthCheckRequest")
    req.field.add(name="service", number=1, type=F.TYPE_STRING,
                  label=F.LABEL_OPTIONAL)
    resp = fdp.message_type.add(name="HealthCheckResponse")
    enum = resp.enum_type.add(name="ServingStatus")
    for name, number in STATUS.items():
        enum.value.add(name=name, number=number)
    resp.field.add(name="status", number=1, type=F.TYPE_ENUM,
                   label=F.LABEL_OPTIONAL, type_name=".grpc.health.v1."
                   "HealthCheckResponse.ServingStatus")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    factory = message_factory.MessageFactory(pool)
    return (factory.GetPrototype(pool.FindMessageTypeByName(
        "grpc.health.v1.HealthCheckRequest")),
        factory.GetPrototype(pool.FindMessageTypeByName(
            "grpc.health.v1.HealthCheckResponse")))


Request, Response = _messages()


class HealthServer:
    """grpcio serving grpc.health.v1.Health/Check on 127.0.0.1:port.
    status maps service names to a status name; a name not in it is
    NOT_FOUND "unknown service", as grpcio-health-checking answers. mode
    "hang" makes Check sleep past any deadline (bounded: 5 s)."""

    def __init__(self, status=None, port=0, tls=None):
        self.status = dict(status or {"": "SERVING"})
        self.mode = None
        self.calls = []         # (service, time_remaining) per Check
        self.server = grpc.server(futures.ThreadPoolExecutor(8))
        handler = grpc.method_handlers_generic_handler(SERVICE, {
            "Check": grpc.unary_unary_rpc_method_handler(
                self._check, request_deserializer=Request.FromString,
                response_serializer=Response.SerializeToString)})
        self.server.add_generic_rpc_handlers((handler,))
        if tls:
            # grpcs: (cert file, key file[, CA file a client cert must
            # chain to]).
            def read(path):
                with open(path, "rb") as f:
                    return f.read()
            creds = grpc.ssl_server_credentials(
                [(read(tls[1]), read(tls[0]))],
                root_certificates=read(tls[2]) if len(tls) > 2 else None,
                require_client_auth=len(tls) > 2)
            self.port = self.server.add_secure_port("127.0.0.1:%d" % port,
                                                    creds)
        else:
            self.port = self.server.add_insecure_port("127.0.0.1:%d" %
                                                      port)
        self.server.start()

    def _check(self, request, context):
        self.calls.append((request.service, context.time_remaining()))
        if self.mode == "hang":
            time.sleep(5)
        if request.service not in self.status:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return Response(status=STATUS[self.status[request.service]])

    def stop(self):
        self.server.stop(0).wait(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def ask(port, path=CHECK, service="", timeout=2.0, host="127.0.0.1"):
    """One unary call as a prober makes it: (status code name, details,
    the HealthCheckResponse's status name or None when the call failed)."""
    with grpc.insecure_channel("%s:%d" % (host, port)) as ch:
        call = ch.unary_unary(path,
                              request_serializer=Request.SerializeToString,
                              response_deserializer=Response.FromString)
        try:
            resp = call(Request(service=service), timeout=timeout)
        except grpc.RpcError as e:
            return e.code().name, e.details(), None
        names = {v: k for k, v in STATUS.items()}
        return "OK", "", names.get(resp.status, str(resp.status))


class Silent:
    """A listener that accepts and never reads or answers: a gRPC server
    that hangs before any HTTP/2."""

    def __init__(self):
        import socket
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self._halt = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._halt.is_set():
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self._halt.set()
        self.thread.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def ask_stream(port, path=CHECK, service="", timeout=2.0):
    """The same call read as a stream (unary_stream on the same path):
    every message that came back before the status, and the status, so
    a failed answer's body can be read as well as its code. (messages'
    status names, code name, details)."""
    names = {v: k for k, v in STATUS.items()}
    got = []
    with grpc.insecure_channel("127.0.0.1:%d" % port) as ch:
        call = ch.unary_stream(path,
                               request_serializer=Request.SerializeToString,
                               response_deserializer=Response.FromString)
        try:
            for resp in call(Request(service=service), timeout=timeout):
                got.append(names.get(resp.status, str(resp.status)))
        except grpc.RpcError as e:
            return got, e.code().name, e.details()
    return got, "OK", ""


class SourceProxy:
    """Relays each connection made to it (on 127.0.0.1:port) to
    127.0.0.1:target from the source address source, so a grpcio client,
    which cannot choose its source address, reaches healthgate as a load
    balancer node of its own address would. Bytes pass untouched."""

    def __init__(self, source, target):
        import socket
        self.source, self.target = source, target
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self._halt = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        import socket
        while not self._halt.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                continue
            try:
                up = socket.create_connection(
                    ("127.0.0.1", self.target), timeout=2,
                    source_address=(self.source, 0))
            except OSError:
                client.close()
                continue
            for a, b in ((client, up), (up, client)):
                threading.Thread(target=self._pipe, args=(a, b),
                                 daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        import socket
        a.settimeout(5)
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self._halt.set()
        self.thread.join(2)
        self.sock.close()


class Prober(threading.Thread):
    """An ALB-like gRPC prober: Check on a new channel every period,
    recording (monotonic time, code name, status name or None)."""

    def __init__(self, port, period=0.5, path=CHECK):
        super().__init__(daemon=True)
        self.port, self.period, self.path = port, period, path
        self.results = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            t = time.monotonic()
            try:
                code, _, status = ask(self.port, path=self.path,
                                      timeout=1.0)
            except Exception as e:      # noqa: BLE001 - any failure counts
                code, status = type(e).__name__, None
            self.results.append((t, code, status))
            self._halt.wait(self.period)

    def stop(self):
        self._halt.set()
        self.join(5)
