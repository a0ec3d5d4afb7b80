# §16.3: the multiply-add workflow in CWL; its steps run the platform's Add and Mul.
cwlVersion: v1.0
class: Workflow
id: muladd-cwl
label: MulAdd (CWL)
doc: Adds the second and third numbers and multiplies the sum by the first.
inputs:
  value1:
    type: double
    label: The multiplicand
  value2:
    type: double
    label: First addend
  value3:
    type: double
    label: Second addend
outputs:
  result:
    type: double
    label: value1 × (value2 + value3)
    outputSource: mul/result
steps:
  add:
    run: "Add"
    in:
      value1: value2
      value2: value3
    out: [result]
  mul:
    run: "Mul"
    in:
      value1: value1
      value2: add/result
    out: [result]
