package oruk

import (
	"container/list"
	"hash/fnv"
	"strconv"
	"sync"
)

// DefaultCacheBytes is how much memory the API's response cache may hold.
const DefaultCacheBytes = 32 << 20

// responseCache keeps encoded responses, each under the directory version it was made at
// (linkwork.OpenDataService.DirectoryVersion), and forgets the least recently used when it
// is full. Answering from it costs one read of the version instead of a search and its
// lists; any change to the directory moves the version on, so nothing stale is served, on
// this instance or any other sharing the database.
type responseCache struct {
	mu      sync.Mutex
	max     int
	size    int
	order   *list.List // of *cachedResponse, most recently used first
	entries map[string]*list.Element
}

// cachedResponse is one response body, at one directory version.
type cachedResponse struct {
	key     string
	version int64
	body    []byte
	etag    string
}

func newResponseCache(maxBytes int) *responseCache {
	return &responseCache{max: maxBytes, order: list.New(), entries: map[string]*list.Element{}}
}

// get returns the response kept for key at version, or nil.
func (c *responseCache) get(key string, version int64) *cachedResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil
	}
	r := e.Value.(*cachedResponse)
	if r.version != version {
		c.remove(e)
		return nil
	}
	c.order.MoveToFront(e)
	return r
}

// put keeps a response and returns it. A body larger than an eighth of the cache is not
// kept, so that one huge page cannot push out everything else.
func (c *responseCache) put(key string, version int64, body []byte) *cachedResponse {
	r := &cachedResponse{key: key, version: version, body: body, etag: etagFor(key, version)}
	if len(body) > c.max/8 {
		return r
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[key]; ok {
		c.remove(e)
	}
	c.entries[key] = c.order.PushFront(r)
	c.size += len(key) + len(body)
	for c.size > c.max {
		c.remove(c.order.Back())
	}
	return r
}

func (c *responseCache) remove(e *list.Element) {
	r := c.order.Remove(e).(*cachedResponse)
	delete(c.entries, r.key)
	c.size -= len(r.key) + len(r.body)
}

// etagFor names a response by what it answers and the directory version: the same request
// at the same version always has the same body.
func etagFor(key string, version int64) string {
	h := fnv.New64a()
	h.Write([]byte(key))
	return `"` + strconv.FormatInt(version, 10) + "-" + strconv.FormatUint(h.Sum64(), 36) + `"`
}
