// A Wheelhouse gRPC client in Go, from packages protoc-gen-go and protoc-gen-go-grpc
// generated out of proto/ under the import path example.com/wheelhouse.
//
// Usage: list-watch ADDRESS CA_FILE CERT_FILE KEY_FILE NAMESPACE
//
// Connects over TLS (trusting CA_FILE, authenticating with the client certificate) and
// prints one JSON line per step: who the server says the caller is (a SelfSubjectReview),
// the ConfigMaps in NAMESPACE, then the first event that is not a BOOKMARK of a watch from
// the list's resourceVersion.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"

	authenticationv1 "example.com/wheelhouse/k8s/io/api/authentication/v1"
	corev1 "example.com/wheelhouse/k8s/io/api/core/v1"
	metav1 "example.com/wheelhouse/k8s/io/apimachinery/pkg/apis/meta/v1"
	authenticationsvc "example.com/wheelhouse/wheelhouse/authentication/v1"
	coresvc "example.com/wheelhouse/wheelhouse/core/v1"
	requests "example.com/wheelhouse/wheelhouse/meta/v1"
)

// summary holds the fields the test compares with what HTTP returns.
type summary struct {
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace"`
	UID             string            `json:"uid"`
	ResourceVersion string            `json:"resourceVersion"`
	Data            map[string]string `json:"data"`
}

func summarize(cm *corev1.ConfigMap) summary {
	m := cm.GetMetadata()
	data := cm.GetData()
	if data == nil {
		data = map[string]string{}
	}
	return summary{Name: m.GetName(), Namespace: m.GetNamespace(), UID: m.GetUid(), ResourceVersion: m.GetResourceVersion(), Data: data}
}

func emit(document interface{}) {
	line, err := json.Marshal(document)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(line))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func read(path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	return b
}

func main() {
	if len(os.Args) != 6 {
		fail(fmt.Errorf("usage: %s ADDRESS CA_FILE CERT_FILE KEY_FILE NAMESPACE", os.Args[0]))
	}
	address, namespace := os.Args[1], os.Args[5]
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(read(os.Args[2])) {
		fail(fmt.Errorf("no certificate in %s", os.Args[2]))
	}
	cert, err := tls.X509KeyPair(read(os.Args[3]), read(os.Args[4]))
	if err != nil {
		fail(err)
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := grpc.DialContext(ctx, address, grpc.WithTransportCredentials(creds))
	if err != nil {
		fail(err)
	}
	defer conn.Close()

	review, err := authenticationsvc.NewSelfSubjectReviewServiceClient(conn).Create(ctx,
		&authenticationsvc.CreateSelfSubjectReviewRequest{Object: &authenticationv1.SelfSubjectReview{}})
	if err != nil {
		fail(err)
	}
	user := review.GetStatus().GetUserInfo()
	emit(map[string]interface{}{"whoami": map[string]interface{}{"username": user.GetUsername(), "groups": user.GetGroups()}})

	configMaps := coresvc.NewConfigMapServiceClient(conn)
	listed, err := configMaps.List(ctx, &requests.ListRequest{Namespace: proto.String(namespace)})
	if err != nil {
		fail(err)
	}
	items := []summary{}
	for _, item := range listed.GetItems() {
		items = append(items, summarize(item))
	}
	emit(map[string]interface{}{"list": map[string]interface{}{"resourceVersion": listed.GetMetadata().GetResourceVersion(), "items": items}})

	events, err := configMaps.Watch(ctx, &requests.ListRequest{
		Namespace: proto.String(namespace),
		Options: &metav1.ListOptions{
			ResourceVersion:     proto.String(listed.GetMetadata().GetResourceVersion()),
			AllowWatchBookmarks: proto.Bool(true),
		},
	})
	if err != nil {
		fail(err)
	}
	for {
		event, err := events.Recv()
		if err != nil {
			fail(fmt.Errorf("the watch ended without an event: %w", err))
		}
		if event.GetType() == "BOOKMARK" {
			continue
		}
		emit(map[string]interface{}{"event": map[string]interface{}{"type": event.GetType(), "object": summarize(event.GetObject())}})
		return
	}
}
