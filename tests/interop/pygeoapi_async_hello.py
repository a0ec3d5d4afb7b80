"""pygeoapi's hello-world offered for asynchronous execution only.

pygeoapi (in .venv-peers) loads this class when the interoperability tests start it, so
that the platform's remote client has to follow a remote job.
"""

from typing import Any

from pygeoapi.process.hello_world import PROCESS_METADATA, HelloWorldProcessor

METADATA = {**PROCESS_METADATA, "id": "hello-async", "jobControlOptions": ["async-execute"]}


class AsyncHelloWorldProcessor(HelloWorldProcessor):
    def __init__(self, processor_def: dict[str, Any]) -> None:
        super().__init__(processor_def)
        self.metadata = METADATA
