# The two commands of the README. Everything else is CMake's.
#   make run    install what is missing, build (the web UI too), create the
#               demo database, serve; prints the dashboard's sign-in link
#   make check  install what is missing, build with ASan+UBSan, run every test

JOBS    ?= $(shell nproc)
DB      ?= holdfast.db
LISTEN  ?= 127.0.0.1:8080

.PHONY: run check deps build build-check clean

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS) --target holdfast web

build-check: deps
	@cmake -S . -B build-check -DCMAKE_BUILD_TYPE=Debug -DHF_SANITIZE=ON >/dev/null
	@cmake --build build-check -j $(JOBS)

run: build
	@if [ ! -f "$(DB)" ]; then \
	    echo "creating $(DB) with demo data"; \
	    ./build/holdfast demo --db "$(DB)" --seed 1; \
	fi
	@key=$$(./build/holdfast keys create --db "$(DB)" --role admin); \
	    echo "demo admin API key: $$key"; \
	    echo "open the dashboard: http://$(LISTEN)/login#key=$$key"
	@./build/holdfast serve --db "$(DB)" --listen "$(LISTEN)"

check: build-check
	@cd build-check && ctest --output-on-failure -j 2

clean:
	rm -rf build build-check
