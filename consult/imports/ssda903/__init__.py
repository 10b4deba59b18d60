"""The SSDA903 return (children looked after) in and its Reviews table out.

`read`: the files, CSV tables recognised by their header rows or one XML file, as rows
with their file and line; `periods`: periods of care from episodes; `apply`: the import
(`import_903`); `rules`: the DfE's review rules; `export` and `reconcile`.
"""
