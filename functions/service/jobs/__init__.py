"""The folder jobs worker: copy, move, rename and delete folders of any size, a page of objects a step."""
