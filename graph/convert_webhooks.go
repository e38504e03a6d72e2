package graph

import (
	"github.com/tradehub/tradehub/graph/model"
	"github.com/tradehub/tradehub/internal/cursor"
	"github.com/tradehub/tradehub/services/events"
	"github.com/tradehub/tradehub/services/webhooks"
)

func toGQLWebhookSubscription(s webhooks.Subscription) *model.WebhookSubscription {
	return &model.WebhookSubscription{ID: s.ID, AccountID: s.AccountID, URL: s.URL, Description: optional(s.Description),
		EventTypes: append([]string{}, s.EventTypes...), Active: s.Active, Health: model.WebhookHealth(s.Health),
		ConsecutiveFailures: s.ConsecutiveFailures, FailingSince: s.FailingSince, LastSuccessAt: s.LastSuccessAt,
		LastFailureAt: s.LastFailureAt, DisabledAt: s.DisabledAt, SecretHint: s.SecretHint,
		PreviousSecretExpiresAt: s.PreviousSecretExpiresAt, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func toGQLWebhookSubscriptionConnection(r cursor.Result[webhooks.Subscription]) *model.WebhookSubscriptionConnection {
	c := &model.WebhookSubscriptionConnection{Edges: []model.WebhookSubscriptionEdge{}, Nodes: []model.WebhookSubscription{},
		PageInfo: toGQLPageInfo(r)}
	for i, s := range r.Items {
		n := toGQLWebhookSubscription(s)
		c.Edges = append(c.Edges, model.WebhookSubscriptionEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

// toGQLWebhookDelivery converts a delivery; its attempts are listed newest first, as a log is
// read, while the service keeps them oldest first.
func toGQLWebhookDelivery(d webhooks.Delivery) *model.WebhookDelivery {
	out := &model.WebhookDelivery{ID: d.ID, AccountID: d.AccountID, SubscriptionID: d.SubscriptionID, EventID: d.EventID,
		EventType: d.EventType, EventSeq: int(d.EventSeq), Status: model.WebhookDeliveryStatus(d.Status),
		AttemptCount: d.Attempts, NextAttemptAt: d.NextAttemptAt, LastAttemptAt: d.LastAttemptAt,
		LastResponseStatusCode: statusCode(d.LastStatusCode), LastError: optional(d.LastError), Payload: string(d.Payload),
		CreatedAt: d.CreatedAt, CompletedAt: d.CompletedAt, Attempts: make([]model.WebhookDeliveryAttempt, 0, len(d.Log))}
	for i := len(d.Log) - 1; i >= 0; i-- {
		a := d.Log[i]
		headers := make([]model.HTTPHeader, 0, len(a.RequestHeaders))
		for _, h := range a.RequestHeaders {
			headers = append(headers, model.HTTPHeader{Name: h.Name, Value: h.Value})
		}
		out.Attempts = append(out.Attempts, model.WebhookDeliveryAttempt{AttemptNumber: a.Number, At: a.At, Manual: a.Manual,
			URL: a.URL, RequestHeaders: headers, ResponseStatusCode: statusCode(a.StatusCode),
			LatencyMs: int(a.Latency.Milliseconds()), Succeeded: a.Error == "", Error: optional(a.Error)})
	}
	return out
}

func toGQLWebhookDeliveryConnection(r cursor.Result[webhooks.Delivery]) *model.WebhookDeliveryConnection {
	c := &model.WebhookDeliveryConnection{Edges: []model.WebhookDeliveryEdge{}, Nodes: []model.WebhookDelivery{},
		PageInfo: toGQLPageInfo(r)}
	for i, d := range r.Items {
		n := toGQLWebhookDelivery(d)
		c.Edges = append(c.Edges, model.WebhookDeliveryEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c
}

// statusCode is an HTTP status, or null for 0 (no response).
func statusCode(code int) *int {
	if code == 0 {
		return nil
	}
	return &code
}

func fromCreateWebhookSubscriptionInput(in model.CreateWebhookSubscriptionInput) webhooks.CreateSubscriptionInput {
	return webhooks.CreateSubscriptionInput{AccountID: in.AccountID, URL: in.URL, EventTypes: in.EventTypes,
		Description: deref(in.Description)}
}

func fromUpdateWebhookSubscriptionInput(in model.UpdateWebhookSubscriptionInput) webhooks.UpdateSubscriptionInput {
	return webhooks.UpdateSubscriptionInput{SubscriptionID: in.SubscriptionID, URL: in.URL, EventTypes: in.EventTypes,
		Description: in.Description, Active: in.Active}
}

// toGQLEvent converts an event of the feed; its data becomes the JSON that webhooks send too.
func toGQLEvent(ev events.Event) (*model.Event, error) {
	data, err := ev.DataJSON()
	if err != nil {
		return nil, err
	}
	return &model.Event{ID: ev.ID, AccountID: ev.AccountID, Type: ev.Type, Version: ev.Version, ObjectID: ev.ObjectID,
		OccurredAt: ev.OccurredAt, Seq: int(ev.Seq), Data: data}, nil
}

func toGQLEventConnection(r cursor.Result[events.Event]) (*model.EventConnection, error) {
	c := &model.EventConnection{Edges: []model.EventEdge{}, Nodes: []model.Event{}, PageInfo: toGQLPageInfo(r)}
	for i, ev := range r.Items {
		n, err := toGQLEvent(ev)
		if err != nil {
			return nil, err
		}
		c.Edges = append(c.Edges, model.EventEdge{Cursor: r.Cursors[i], Node: n})
		c.Nodes = append(c.Nodes, *n)
	}
	return c, nil
}
