// The shape check over everything Square sends, answers and webhook events alike: what a tool or a test
// holds a body to when it knows the body's model by name (`shapeProblem("Customer", body)`). The clients
// check answers against the answer table alone (call/attempt.ts), so a program that never receives a
// webhook never loads the event table.
import { answerShapes } from "../generated/answer-shapes.js";
import { eventShapes } from "../generated/event-shapes.js";
import { type ShapeCheck, shapeCheck } from "./check.js";

/**
 * How `value` differs from the model `model`, an answer or a webhook event (`customers[3].version is not
 * an integer`), or undefined when it has the model's shape.
 */
export const shapeProblem: ShapeCheck = shapeCheck(answerShapes, eventShapes);
